/**
 * The live view's frame budget (run-live-view.ts frameDue): a frame waits until the replay has
 * had 39 times its cost in CPU, or the loop sat idle: one frame's cost for a paced or paused
 * replay, the full 39 shares at --speed max (where idle means a read under way).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameDue } from '../../src/ui/run-live-view.js';

const CASES: Array<{ title: string; cpuSince: number; idleSince: number; lastCost: number; waiting: boolean; due: boolean }> = [
  { title: 'the first frame (no cost yet) is due at once', cpuSince: 0, idleSince: 0, lastCost: 0, waiting: false, due: true },
  { title: 'a 20 ms frame after 500 ms of CPU waits (budget 780 ms)', cpuSince: 500, idleSince: 10, lastCost: 20, waiting: false, due: false },
  { title: 'a 20 ms frame after 780 ms of CPU is due', cpuSince: 780, idleSince: 0, lastCost: 20, waiting: false, due: true },
  { title: '--speed max: 100 ms idle during reads does not pay for a 20 ms frame', cpuSince: 300, idleSince: 100, lastCost: 20, waiting: false, due: false },
  { title: '--speed max: a stalled input (idle 780 ms) gets its frame', cpuSince: 5, idleSince: 780, lastCost: 20, waiting: false, due: true },
  { title: 'paced: idle as long as one frame costs is enough', cpuSince: 5, idleSince: 20, lastCost: 20, waiting: true, due: true },
  { title: 'paced: idle shorter than a frame waits', cpuSince: 5, idleSince: 19, lastCost: 20, waiting: true, due: false },
];

for (const { title, cpuSince, idleSince, lastCost, waiting, due } of CASES) {
  test(`frame budget: ${title}`, () => {
    assert.equal(frameDue(cpuSince, idleSince, lastCost, waiting), due);
  });
}
