/**
 * The window table's body, drawn past ink's output stage. ink works per character on every frame
 * (a string-width of each text, an ANSI tokenizer and a styled-cell object per character, a grid
 * of the whole screen): the table's rows were about 4 of a frame's 12-15 CPU ms at 120×40. Under
 * the live view's runner the panel renders one marker character per row instead, ink lays out and
 * draws that, and the frame stream puts the rows' own text where the markers are before the
 * screen writer diffs the frame. Without an overlay (ink-testing-library, tests) the panel renders
 * its rows through ink as before.
 */
import { createContext } from 'react';
import { columnsOf } from './display-format.js';

/** A private-use character: where a row of the body goes, one per row, first column of the row. */
export const BODY_MARK = '\uE000';

const ANSI = /\u001B\[[0-9;]*m/y;

/**
 * `text` cut to `room` columns (escape codes kept; wide characters take two columns, marks none),
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

export class BodyOverlay {
  /** The body's rows as the panel last rendered them, coloured. */
  lines: readonly string[] = [];

  /** `frame` with each marker replaced by its row, within the blank columns ink left after it. */
  compose(frame: string): string {
    if (this.lines.length === 0 || !frame.includes(BODY_MARK)) return frame;
    const rows = frame.split('\n');
    let next = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const at = row.indexOf(BODY_MARK);
      if (at < 0) continue;
      let blank = 0;
      while (row.charCodeAt(at + 1 + blank) === 32) blank++;
      // The marker's column and the blanks after it, less the panel's padding before its border.
      const room = 1 + blank - (at + 1 + blank < row.length && blank > 0 ? 1 : 0);
      const line = fitColumns(this.lines[next++] ?? '', room);
      const taken = Math.max(1, line.width);
      rows[i] = row.slice(0, at) + line.text + ' '.repeat(taken - line.width) + row.slice(at + taken);
    }
    return rows.join('\n');
  }
}

/** The overlay the window panel hands its rows to; null: the panel renders them through ink. */
export const TableBody = createContext<BodyOverlay | null>(null);
