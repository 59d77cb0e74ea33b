/**
 * When a live-view frame is due (run-live-view.ts frameDue): at --speed max every 100 ms of the
 * process's CPU and idle time (10 frames a second), or 20 times a dear frame's cost, but at least
 * 4 frames a second; a paced or paused replay once the loop has sat idle as long as a frame costs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameDue } from '../../src/ui/run-live-view.js';

const CASES: Array<{ title: string; cpuSince: number; idleSince: number; lastCost: number; waiting: boolean; due: boolean }> = [
  { title: 'the first frame (no cost yet) at --speed max waits 100 ms', cpuSince: 60, idleSince: 30, lastCost: 0, waiting: false, due: false },
  { title: '--speed max: a 3 ms frame is due after 100 ms of CPU (10 frames a second)', cpuSince: 100, idleSince: 0, lastCost: 3, waiting: false, due: true },
  { title: '--speed max: CPU and idle time add up (a read under way counts)', cpuSince: 70, idleSince: 30, lastCost: 3, waiting: false, due: true },
  { title: '--speed max: a 3 ms frame after 99 ms waits', cpuSince: 80, idleSince: 19, lastCost: 3, waiting: false, due: false },
  { title: '--speed max: a 8 ms frame waits 20 times its cost (160 ms)', cpuSince: 150, idleSince: 0, lastCost: 8, waiting: false, due: false },
  { title: '--speed max: a 8 ms frame is due after 160 ms', cpuSince: 150, idleSince: 10, lastCost: 8, waiting: false, due: true },
  { title: '--speed max: a 30 ms frame is due after 250 ms all the same (4 frames a second at least)', cpuSince: 250, idleSince: 0, lastCost: 30, waiting: false, due: true },
  { title: 'paced: the first frame is due at once', cpuSince: 0, idleSince: 0, lastCost: 0, waiting: true, due: true },
  { title: 'paced: idle as long as one frame costs is enough', cpuSince: 5, idleSince: 20, lastCost: 20, waiting: true, due: true },
  { title: 'paced: idle shorter than a frame waits', cpuSince: 5, idleSince: 19, lastCost: 20, waiting: true, due: false },
  { title: 'paced: a busy loop gets its frame after 20 times its cost in CPU', cpuSince: 400, idleSince: 0, lastCost: 20, waiting: true, due: true },
];

for (const { title, cpuSince, idleSince, lastCost, waiting, due } of CASES) {
  test(`frame budget: ${title}`, () => {
    assert.equal(frameDue(cpuSince, idleSince, lastCost, waiting), due);
  });
}
