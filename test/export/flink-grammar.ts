/**
 * dt-sql-parser's Flink SQL grammar, loaded through tsx: its 4.x ESM build imports directories,
 * which Node's loader refuses. Loading takes 5–10 s, so each test file loads it once.
 */
export interface FlinkGrammar {
  /** The parser's messages for `sql`; empty when it parses. */
  errors(sql: string): string[];
}

export async function loadFlinkGrammar(): Promise<FlinkGrammar> {
  const { tsImport } = await import('tsx/esm/api');
  const { FlinkSQL } = (await tsImport('dt-sql-parser', import.meta.url)) as {
    FlinkSQL: new () => { validate(sql: string): Array<{ message: string; startLine?: number }> };
  };
  const parser = new FlinkSQL();
  return { errors: (sql) => parser.validate(sql).map((e) => `${e.startLine !== undefined ? `line ${e.startLine}: ` : ''}${e.message}`) };
}
