/** Semantic colours of the live view; components never use raw colour names. */
export const theme = {
  title: 'cyan',
  label: 'gray',
  value: 'white',
  good: 'green',
  warn: 'yellow',
  bad: 'red',
  changed: 'yellowBright',
  selected: 'cyan',
  muted: 'gray',
  accent: 'magenta',
} as const;

export type ThemeColor = (typeof theme)[keyof typeof theme];
