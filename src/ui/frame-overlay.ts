/**
 * The view's changing text, drawn past ink. ink works per character on every frame (a
 * string-width of each text, an ANSI tokenizer and a styled-cell object per character, a grid of
 * the whole screen), and React and Yoga work per node: at 120×40 a frame cost 8-10 CPU ms warm
 * and twice that inside a run. Under the live view's runner the parts that change from frame to
 * frame (the header's fields and progress line, the tabs, the window table's body and footer) are
 * rendered as one marker character per line; ink lays out and draws that, and the frame stream
 * puts the lines' own text where the markers are before the screen writer diffs the frame. A
 * frame that changes only those lines (the layout key is the same, live-app.tsx frameView) is
 * composed again from ink's last output: no React render, no layout, no ink output stage.
 * Without an overlay (ink-testing-library, tests) the components render their lines through ink.
 */
import { createContext } from 'react';
import { columnsOf } from './display-format.js';

/** Private-use characters, one per region: where a line of the region goes, first column of the line. */
const MARK = { body: '\uE000', fields: '\uE001', progress: '\uE002', tabs: '\uE003', footer: '\uE004' } as const;
export type Region = keyof typeof MARK;
/** Any region's marker. */
const MARKS = new RegExp(`[${Object.values(MARK).join('')}]`);

/** A region's markers: one per line. */
export const marks = (region: Region, count: number): string => Array<string>(count).fill(MARK[region]).join('\n');

const ANSI = /\u001B\[[0-9;]*m/y;

/**
 * `text` cut to `room` columns (escape codes kept; wide characters take two columns, combining marks none),
 * and its width. A wide character that does not fit in the last column is left out.
 */
function fitColumns(text: string, room: number): { text: string; width: number } {
  let width = 0;
  let styled = false;
  for (let i = 0; i < text.length; ) {
    if (text.charCodeAt(i) === 27) {
      ANSI.lastIndex = i;
      const code = ANSI.exec(text);
      if (code !== null) {
        styled = true;
        i += code[0].length;
        continue;
      }
    }
    const codePoint = text.codePointAt(i)!;
    const columns = columnsOf(codePoint);
    if (width + columns > room) return { text: text.slice(0, i) + (styled ? '\u001B[0m' : ''), width };
    i += codePoint > 0xffff ? 2 : 1;
    width += columns;
  }
  return { text, width };
}

interface RegionLines {
  readonly lines: readonly string[];
  /** Columns a line may take where nothing follows its marker (ink cuts trailing blanks): a region without a border. */
  readonly width: number;
}

export class FrameOverlay {
  private readonly regions = new Map<string, RegionLines>();
  /**
   * The layout key of the view ink drew last (live-app.tsx frameView): a frame with the same key
   * differs only in the regions' lines. Null: the last view cannot be composed again.
   */
  key: string | null = null;

  /** The lines of `region`, coloured, as the frame shows them now. */
  set(region: Region, lines: readonly string[], width = 0): void {
    this.regions.set(MARK[region], { lines, width });
  }

  /**
   * `frame` with each marker replaced by its region's next line, within the blank columns ink
   * left after it (less the padding before a border), or the region's width at the end of a row.
   */
  compose(frame: string): string {
    if (!MARKS.test(frame)) return frame;
    const rows = frame.split('\n');
    const next = new Map<string, number>();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const found = MARKS.exec(row);
      if (found === null) continue;
      const at = found.index;
      const mark = found[0];
      const region = this.regions.get(mark);
      const n = next.get(mark) ?? 0;
      next.set(mark, n + 1);
      let blank = 0;
      while (row.charCodeAt(at + 1 + blank) === 32) blank++;
      const bordered = at + 1 + blank < row.length;
      // The marker's column and the blanks after it, less the panel's padding before its border.
      const room = bordered ? 1 + blank - (blank > 0 ? 1 : 0) : Math.max(1 + blank, region?.width ?? 0);
      const line = fitColumns(region?.lines[n] ?? '', room);
      const taken = Math.max(1, line.width);
      rows[i] = row.slice(0, at) + line.text + (bordered ? ' '.repeat(taken - line.width) + row.slice(at + taken) : '');
    }
    return rows.join('\n');
  }
}

/** The overlay the view hands its changing lines to; null: the components render them through ink. */
export const FrameOverlayContext = createContext<FrameOverlay | null>(null);
