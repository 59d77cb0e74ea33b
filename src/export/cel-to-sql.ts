/**
 * CEL (the spec's expression language, docs/expressions.md) → a Flink SQL expression. The AST is
 * the engine's (parseExpression wraps @marcbachmann/cel-js's parser), so what the engine accepts
 * is what is translated. What Flink SQL cannot say (macros over event lists, map key presence, a
 * list compared with a list ...) throws NotExpressible with the reason, and the step is reported.
 *
 * Compound results are parenthesised, so that the SQL keeps CEL's grouping whatever the
 * surrounding operator; `bare()` strips the outermost pair where a whole clause is written.
 */
import { parseExpression, type ASTNode } from '../engine/expression/parse.js';
import { ExpressionSite } from '../engine/expression/errors.js';
import { parseDuration, parseTimestamp } from '../engine/expression/time.js';
import { fieldPath, identifier, numberLiteral, stringLiteral } from './sql-text.js';

/** A CEL construct with no Flink SQL equivalent; the message says which and why. */
export class NotExpressible extends Error {}

/** What is known of a translated value's type (Flink column types are inferred from these hints). */
export type SqlType = 'number' | 'string' | 'bool' | 'null' | 'list' | 'dyn';

export interface Sql {
  readonly text: string;
  readonly type: SqlType;
  /** Set when the value is a plain event field: the dotted path, so that its use can hint its type. */
  readonly path?: readonly string[];
  /** Already a DOUBLE cast (double(x)), so that division does not cast it again. */
  readonly double?: boolean;
}

/** A pattern stage's events as CEL sees them (`more`), or one of its columns (`more.map(e, e.price)`). */
interface StageRef {
  readonly stage: string;
  readonly column?: readonly string[];
}

export interface PatternScope {
  /** The pattern variable of each stage name. */
  readonly variables: ReadonlyMap<string, string>;
  /**
   * The stage whose DEFINE is being written: in Flink SQL its aggregates include the row being
   * tested, while the engine's (Flink CEP's) stage list holds only the rows accepted before it.
   */
  readonly defining?: string;
}

export interface CelScope {
  /** Where the expression sits in the spec ("steps.binge.where"), for messages. */
  readonly where: string;
  /** The SQL of an event field path; defaults to the path itself (qualified by a row alias in DEFINE). */
  readonly field?: (path: readonly string[]) => string;
  /** Records each field read, with its type when the expression reveals it. */
  readonly onField?: (path: readonly string[], type: SqlType) => void;
  /** Known column types (from a sample recording), so that size() picks CHAR_LENGTH or CARDINALITY. */
  readonly fieldType?: (path: readonly string[]) => SqlType | undefined;
  /** Names bound to SQL (aggregate results, earlier computed fields). */
  readonly bindings?: ReadonlyMap<string, Sql>;
  /** A window's key parts (`key`, `key[0]`) as SQL. */
  readonly key?: readonly Sql[];
  /** Whether `window.start` / `window.end` are in scope (a window step's select / having). */
  readonly window?: boolean;
  readonly pattern?: PatternScope;
}

/** Translates CEL `source` to a Flink SQL expression. Throws NotExpressible or ExpressionSyntaxError. */
export function celToSql(source: string, scope: CelScope): Sql {
  const ast = parseExpression(new ExpressionSite(scope.where, source));
  return new Translation(scope, source).value(ast);
}

/** `(a + b)` → `a + b`: the outermost parentheses, when they enclose the whole text. */
export function bare(text: string): string {
  if (!text.startsWith('(') || !text.endsWith(')')) return text;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth === 0 && i < text.length - 1) return text;
  }
  return text.slice(1, -1);
}

const COMPARISONS: Readonly<Record<string, string>> = { '==': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);
const MATH_FUNCTIONS: Readonly<Record<string, string>> = { abs: 'ABS', floor: 'FLOOR', ceil: 'CEIL', log: 'LN', pow: 'POWER' };
const CASTS: Readonly<Record<string, [string, SqlType]>> = {
  int: ['BIGINT', 'number'],
  double: ['DOUBLE', 'number'],
  string: ['STRING', 'string'],
  bool: ['BOOLEAN', 'bool'],
};
/** The window's bounds as epoch milliseconds, the numbers CEL sees (second precision: see docs/flink-sql.md). */
const WINDOW_BOUNDS: Readonly<Record<string, string>> = {
  start: "(1000 * UNIX_TIMESTAMP(DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm:ss')))",
  end: "(1000 * UNIX_TIMESTAMP(DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss')))",
};

class Translation {
  constructor(
    private readonly scope: CelScope,
    private readonly source: string,
  ) {}

  private fail(what: string, ast: ASTNode): never {
    throw new NotExpressible(`${this.scope.where}: ${what} (in "${this.source.slice(ast.start, ast.end)}")`);
  }

  /** A translated value; a stage reference here (not inside size() / sum() ...) is refused. */
  value(ast: ASTNode): Sql {
    const stage = this.stageRef(ast);
    if (stage) this.fail(`a stage's event list is used as a value; Flink SQL reads it through FIRST/LAST/COUNT/SUM/AVG/MIN/MAX: write ${stage.stage}[0].field, size(${stage.stage}) or sum(${stage.stage}.map(e, e.field))`, ast);
    return this.node(ast);
  }

  private hint(sql: Sql, type: SqlType): void {
    if (sql.path && type !== 'dyn' && type !== 'null') this.scope.onField?.(sql.path, type);
  }

  private node(ast: ASTNode): Sql {
    switch (ast.op) {
      case 'value':
        return this.literal(ast);
      case 'id':
      case '.':
      case '[]':
        return this.reference(ast);
      case 'list':
        return { text: `(${(ast.args as ASTNode[]).map((a) => this.value(a).text).join(', ')})`, type: 'list' };
      case 'map':
        return this.fail('map literals have no Flink SQL value here', ast);
      case '?:': {
        const [c, a, b] = (ast.args as ASTNode[]).map((n) => this.value(n)) as [Sql, Sql, Sql];
        this.hint(c, 'bool');
        const type = a.type === b.type ? a.type : a.type === 'null' ? b.type : b.type === 'null' ? a.type : 'dyn';
        return { text: `(CASE WHEN ${bare(c.text)} THEN ${bare(a.text)} ELSE ${bare(b.text)} END)`, type };
      }
      case '&&':
      case '||': {
        const [a, b] = (ast.args as ASTNode[]).map((n) => this.value(n)) as [Sql, Sql];
        this.hint(a, 'bool');
        this.hint(b, 'bool');
        return { text: `(${a.text} ${ast.op === '&&' ? 'AND' : 'OR'} ${b.text})`, type: 'bool' };
      }
      case '!_': {
        const a = this.value(ast.args as ASTNode);
        this.hint(a, 'bool');
        return { text: `(NOT ${a.text})`, type: 'bool' };
      }
      case '-_': {
        const a = this.value(ast.args as ASTNode);
        this.hint(a, 'number');
        return { text: `(-${a.text})`, type: 'number' };
      }
      case 'in':
        return this.membership(ast);
      case 'call':
        return this.call(ast.args[0] as string, null, ast.args[1] as ASTNode[], ast);
      case 'rcall':
        return this.call(ast.args[0] as string, ast.args[1] as ASTNode, ast.args[2] as ASTNode[], ast);
      default:
        if (ast.op in COMPARISONS) return this.comparison(ast);
        if (ARITHMETIC.has(ast.op)) return this.arithmetic(ast);
        return this.fail(`the operator ${ast.op} has no Flink SQL translation`, ast);
    }
  }

  private literal(ast: ASTNode): Sql {
    const value: unknown = ast.args;
    if (typeof value === 'bigint') return { text: numberLiteral(Number(value)), type: 'number' };
    if (typeof value === 'number') return { text: numberLiteral(value), type: 'number' };
    if (typeof value === 'string') return { text: stringLiteral(value), type: 'string' };
    if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE', type: 'bool' };
    if (value === null) return { text: 'NULL', type: 'null' };
    if (typeof value === 'object' && value !== null && 'value' in value) return { text: numberLiteral(Number((value as { value: bigint }).value)), type: 'number' };
    return this.fail('bytes literals have no Flink SQL translation here', ast);
  }

  /** The dotted path of `a.b['c']` when it is a plain field path from an identifier, else null. */
  private pathOf(ast: ASTNode): { root: string; path: string[] } | null {
    if (ast.op === 'id') return { root: ast.args as string, path: [ast.args as string] };
    if (ast.op === '.') {
      const inner = this.pathOf(ast.args[0] as ASTNode);
      return inner && { root: inner.root, path: [...inner.path, ast.args[1] as string] };
    }
    if (ast.op === '[]') {
      const key = ast.args[1] as ASTNode;
      const inner = this.pathOf(ast.args[0] as ASTNode);
      if (inner && key.op === 'value' && typeof key.args === 'string') return { root: inner.root, path: [...inner.path, key.args] };
    }
    return null;
  }

  private reference(ast: ASTNode): Sql {
    const measure = this.stageMeasure(ast);
    if (measure) return measure;
    const found = this.pathOf(ast);
    if (found) {
      const [root, ...rest] = found.path as [string, ...string[]];
      const bound = this.scope.bindings?.get(root);
      if (bound && rest.length === 0) return bound;
      if (this.scope.window && root === 'window') {
        const bound = rest.length === 1 ? WINDOW_BOUNDS[rest[0]!] : undefined;
        if (bound) return { text: bound, type: 'number' };
        return this.fail('a window has only window.start and window.end', ast);
      }
      if (this.scope.key && root === 'key' && rest.length === 0) {
        if (this.scope.key.length === 1) return this.scope.key[0]!;
        return this.fail('key is a list for a composite keyBy; read its parts with key[0], key[1]', ast);
      }
      if (this.scope.pattern?.variables.has(root)) return this.fail(`stage ${root} is an event list; read one event with ${root}[0].field`, ast);
      if (root === 'event') {
        if (rest.length === 0) return this.fail('the whole event has no single SQL value; read its fields (event.price)', ast);
        return this.eventField(rest);
      }
      return this.eventField(found.path);
    }
    if (ast.op === '[]') {
      const [target, index] = ast.args as [ASTNode, ASTNode];
      if (this.scope.key && target.op === 'id' && target.args === 'key' && index.op === 'value') {
        const part = this.scope.key[Number(index.args)];
        if (part) return part;
        return this.fail(`key has ${this.scope.key.length} parts`, ast);
      }
      const list = this.value(target);
      const at = this.value(index);
      // SQL arrays count from 1, CEL lists from 0.
      if (index.op === 'value' && typeof index.args === 'bigint') return { text: `${list.text}[${Number(index.args) + 1}]`, type: 'dyn' };
      this.hint(at, 'number');
      return { text: `${list.text}[${at.text} + 1]`, type: 'dyn' };
    }
    if (ast.op === '.') {
      // A field of a computed value, such as (cond ? a : b).x: SQL reaches ROW fields only by name.
      const target = this.value(ast.args[0] as ASTNode);
      return { text: `${target.text}.${identifier(ast.args[1] as string)}`, type: 'dyn' };
    }
    return this.fail('this reference has no Flink SQL translation', ast);
  }

  private eventField(path: readonly string[]): Sql {
    const text = this.scope.field ? this.scope.field(path) : fieldPath(path);
    const known = this.scope.fieldType?.(path);
    this.scope.onField?.(path, 'dyn');
    return { text, type: known ?? 'dyn', path };
  }

  // ---- pattern stages -------------------------------------------------------------------------

  /** `more` (a stage name) or `more.map(e, e.price)` (one column of a stage), else null. */
  private stageRef(ast: ASTNode): StageRef | null {
    const pattern = this.scope.pattern;
    if (!pattern) return null;
    if (ast.op === 'id' && pattern.variables.has(ast.args as string)) return { stage: ast.args as string };
    if (ast.op === 'rcall' && ast.args[0] === 'map') {
      const stage = this.stageRef(ast.args[1] as ASTNode);
      const params = ast.args[2] as ASTNode[];
      if (!stage || stage.column || params.length !== 2) return null;
      const [variable, body] = params as [ASTNode, ASTNode];
      const column = this.pathOf(body);
      if (variable.op !== 'id' || !column || column.root !== variable.args) {
        this.fail('in Flink SQL a stage maps only to one of its fields: write more.map(e, e.price)', ast);
      }
      return { stage: stage.stage, column: column.path.slice(1) };
    }
    return null;
  }

  private variable(stage: string): string {
    return identifier(this.scope.pattern!.variables.get(stage)!);
  }

  /** `start[0].userId` → FIRST(start.userId); `more[size(more) - 1].ts` → LAST(more.ts). */
  private stageMeasure(ast: ASTNode): Sql | null {
    if (!this.scope.pattern) return null;
    const path: string[] = [];
    let node = ast;
    while (node.op === '.') {
      path.unshift(node.args[1] as string);
      node = node.args[0] as ASTNode;
    }
    if (node.op !== '[]') return null;
    const stage = this.stageRef(node.args[0] as ASTNode);
    if (!stage || stage.column) return null;
    if (path.length === 0) this.fail(`${stage.stage}[i] is an event; read one of its fields: ${stage.stage}[0].field`, ast);
    if (this.scope.pattern.defining === stage.stage) {
      this.fail(`a stage's condition reading its own earlier events by position is beyond DEFINE (Flink SQL counts the tested row in ${stage.stage})`, ast);
    }
    const column = `${this.variable(stage.stage)}.${fieldPath(path)}`;
    const index = node.args[1] as ASTNode;
    if (index.op === 'value' && typeof index.args === 'bigint') {
      const n = Number(index.args);
      return { text: n === 0 ? `FIRST(${column})` : `FIRST(${column}, ${n})`, type: this.scope.fieldType?.(path) ?? 'dyn', path };
    }
    // more[size(more) - k] is the k-th event from the end: LAST(x, k - 1).
    if (index.op === '-') {
      const [left, right] = index.args as [ASTNode, ASTNode];
      const sized = left.op === 'call' && left.args[0] === 'size' ? this.stageRef((left.args[1] as ASTNode[])[0]!) : null;
      if (sized?.stage === stage.stage && right.op === 'value' && typeof right.args === 'bigint' && right.args >= 1n) {
        const k = Number(right.args) - 1;
        return { text: k === 0 ? `LAST(${column})` : `LAST(${column}, ${k})`, type: this.scope.fieldType?.(path) ?? 'dyn', path };
      }
    }
    return this.fail(`a stage index must be a number (${stage.stage}[0]) or count from the end (${stage.stage}[size(${stage.stage}) - 1]) to become FIRST / LAST`, ast);
  }

  /** size(stage) → COUNT(stage.*); sum/avg/min/max(stage.map(e, e.f)) → SUM(stage.f) ... */
  private stageAggregate(fn: string, stage: StageRef, ast: ASTNode): Sql {
    const own = this.scope.pattern?.defining === stage.stage;
    const variable = this.variable(stage.stage);
    if (fn === 'size') {
      // size(more.map(e, e.x)) has one element per event, as size(more).
      return { text: own ? `(COUNT(${variable}.*) - 1)` : `COUNT(${variable}.*)`, type: 'number' };
    }
    if (!stage.column) return this.fail(`${fn}() needs the field to aggregate: ${fn}(${stage.stage}.map(e, e.field))`, ast);
    const column = `${variable}.${fieldPath(stage.column)}`;
    if (own) {
      if (fn === 'sum') return { text: `(SUM(${column}) - ${column})`, type: 'number' };
      this.fail(`${fn}() over a stage's own earlier events is beyond DEFINE: Flink SQL includes the tested row and ${fn} cannot take it out`, ast);
    }
    return { text: `${fn.toUpperCase()}(${column})`, type: 'number' };
  }

  // ---- operators ------------------------------------------------------------------------------

  private comparison(ast: ASTNode): Sql {
    const [leftAst, rightAst] = ast.args as [ASTNode, ASTNode];
    const left = this.value(leftAst);
    const right = this.value(rightAst);
    if (left.type === 'list' || right.type === 'list') this.fail('lists are compared element by element in CEL; Flink SQL has no list equality here', ast);
    if (ast.op === '==' || ast.op === '!=') {
      const nullSide = left.type === 'null' ? right : right.type === 'null' ? left : null;
      if (nullSide) return { text: `(${nullSide.text} IS ${ast.op === '==' ? '' : 'NOT '}NULL)`, type: 'bool' };
    }
    this.hint(left, right.type);
    this.hint(right, left.type);
    return { text: `(${left.text} ${COMPARISONS[ast.op]} ${right.text})`, type: 'bool' };
  }

  private arithmetic(ast: ASTNode): Sql {
    const [left, right] = (ast.args as ASTNode[]).map((n) => this.value(n)) as [Sql, Sql];
    if (left.type === 'list' || right.type === 'list') this.fail('list concatenation has no Flink SQL translation here', ast);
    if (ast.op === '+' && (left.type === 'string' || right.type === 'string')) {
      this.hint(left, 'string');
      this.hint(right, 'string');
      return { text: `(${left.text} || ${right.text})`, type: 'string' };
    }
    this.hint(left, 'number');
    this.hint(right, 'number');
    // CEL here divides as floating point (7 / 2 is 3.5); SQL divides BIGINTs (COUNT) as integers.
    if (ast.op === '/') return { text: `(${left.double ? left.text : `CAST(${bare(left.text)} AS DOUBLE)`} / ${right.text})`, type: 'number' };
    if (ast.op === '%') return { text: `MOD(${bare(left.text)}, ${bare(right.text)})`, type: 'number' };
    return { text: `(${left.text} ${ast.op} ${right.text})`, type: 'number' };
  }

  private membership(ast: ASTNode): Sql {
    const [itemAst, setAst] = ast.args as [ASTNode, ASTNode];
    if (setAst.op !== 'list') this.fail('`in` translates only with a list literal on the right (x in [\'a\', \'b\']); map key presence and list fields have no Flink SQL form', ast);
    const item = this.value(itemAst);
    const elements = (setAst.args as ASTNode[]).map((n) => this.value(n));
    if (elements.length === 0) return { text: 'FALSE', type: 'bool' };
    const first = elements[0]!;
    this.hint(item, elements.every((e) => e.type === first.type) ? first.type : 'dyn');
    return { text: `(${item.text} IN (${elements.map((e) => bare(e.text)).join(', ')}))`, type: 'bool' };
  }

  // ---- functions ------------------------------------------------------------------------------

  private call(name: string, receiverAst: ASTNode | null, argAsts: readonly ASTNode[], ast: ASTNode): Sql {
    if (receiverAst?.op === 'id' && receiverAst.args === 'math') return this.call(name, null, argAsts, ast);
    const all = receiverAst ? [receiverAst, ...argAsts] : [...argAsts];
    if (name === 'has') return this.has(argAsts, ast);
    if (['all', 'exists', 'exists_one', 'map', 'filter'].includes(name)) {
      return this.fail(`the macro ${name}() goes over a list element by element; Flink SQL has no such expression (flatten the list upstream, or use the DataStream API)`, ast);
    }
    const stage = all.length === 1 ? this.stageRef(all[0]!) : null;
    if (stage && ['size', 'sum', 'avg', 'min', 'max'].includes(name)) return this.stageAggregate(name, stage, ast);
    switch (name) {
      case 'size':
        return this.size(this.one(all, ast), ast);
      case 'startsWith':
      case 'endsWith':
      case 'contains':
        return this.like(name, this.one(all.slice(0, 1), ast), all[1], ast);
      case 'matches': {
        const [text, pattern] = this.args(all, 2, ast);
        this.hint(text, 'string');
        this.hint(pattern, 'string');
        // Flink's REGEXP is Java's regex, which reads the everyday JavaScript / RE2 syntax and the (?i) flags alike.
        return { text: `REGEXP(${bare(text.text)}, ${bare(pattern.text)})`, type: 'bool' };
      }
      case 'lowerAscii':
      case 'upperAscii':
      case 'trim': {
        const text = this.one(all, ast);
        this.hint(text, 'string');
        const fn = name === 'trim' ? 'TRIM' : name === 'lowerAscii' ? 'LOWER' : 'UPPER';
        return { text: `${fn}(${bare(text.text)})`, type: 'string' };
      }
      case 'int':
      case 'double':
      case 'string':
      case 'bool': {
        const [type, result] = CASTS[name]!;
        return { text: `CAST(${bare(this.one(all, ast).text)} AS ${type})`, type: result, ...(type === 'DOUBLE' ? { double: true } : {}) };
      }
      case 'dyn':
        return this.one(all, ast);
      case 'timestamp':
      case 'duration':
        return this.time(name, all, ast);
      case 'min':
      case 'max':
        return this.extreme(name, all, ast);
      case 'sum':
      case 'avg': {
        const list = all.length === 1 && all[0]!.op === 'list' ? (all[0]!.args as ASTNode[]).map((n) => this.value(n)) : null;
        if (!list || list.length === 0) return this.fail(`${name}() of a list field has no Flink SQL expression; aggregate it in a window step instead`, ast);
        for (const item of list) this.hint(item, 'number');
        const total = `(${list.map((i) => i.text).join(' + ')})`;
        return { text: name === 'sum' ? total : `(CAST(${total} AS DOUBLE) / ${list.length})`, type: 'number' };
      }
      case 'round': {
        const x = this.one(all, ast);
        this.hint(x, 'number');
        // ROUND rounds half away from zero, as the spec's round() does.
        return { text: `ROUND(${bare(x.text)}, 0)`, type: 'number' };
      }
      case 'sqrt': {
        const x = this.one(all, ast);
        this.hint(x, 'number');
        // POWER(x, 0.5) rather than SQRT(x): dt-sql-parser's Flink grammar refuses SQRT as a function name.
        return { text: `POWER(${bare(x.text)}, 0.5)`, type: 'number' };
      }
    }
    const math = MATH_FUNCTIONS[name];
    if (math) {
      const args = this.args(all, name === 'pow' ? 2 : 1, ast);
      for (const a of args) this.hint(a, 'number');
      return { text: `${math}(${args.map((a) => bare(a.text)).join(', ')})`, type: 'number' };
    }
    return this.fail(`the function ${name}() has no Flink SQL translation`, ast);
  }

  private one(all: readonly ASTNode[], ast: ASTNode): Sql {
    return this.args(all, 1, ast)[0]!;
  }

  private args(all: readonly ASTNode[], count: number, ast: ASTNode): Sql[] {
    if (all.length !== count) this.fail(`expected ${count} argument${count === 1 ? '' : 's'}`, ast);
    return all.map((a) => this.value(a));
  }

  private has(args: readonly ASTNode[], ast: ASTNode): Sql {
    const target = args.length === 1 ? this.pathOf(args[0]!) : null;
    if (!target) return this.fail('has() takes a field path: has(metadata.price)', ast);
    // JSON null and a missing field both read as SQL NULL: has() here is "present and not null".
    const field = this.value(args[0]!);
    return { text: `(${field.text} IS NOT NULL)`, type: 'bool' };
  }

  private size(x: Sql, ast: ASTNode): Sql {
    if (x.type === 'list' && !x.path) this.fail('size() of a list literal: write the number', ast);
    if (x.type === 'list') return { text: `CARDINALITY(${x.text})`, type: 'number' };
    // Fields of unknown type are read as STRING columns, so a field's size is its length.
    this.hint(x, 'string');
    return { text: `CHAR_LENGTH(${bare(x.text)})`, type: 'number' };
  }

  /** startsWith / endsWith / contains: LIKE with `!` escaping a literal's % and _, else POSITION. */
  private like(name: string, text: Sql, patternAst: ASTNode | undefined, ast: ASTNode): Sql {
    if (!patternAst) return this.fail(`${name}() takes one argument`, ast);
    this.hint(text, 'string');
    if (patternAst.op === 'value' && typeof patternAst.args === 'string') {
      const escaped = patternAst.args.replace(/[!%_]/g, (c) => `!${c}`);
      const pattern = name === 'startsWith' ? `${escaped}%` : name === 'endsWith' ? `%${escaped}` : `%${escaped}%`;
      return { text: `(${text.text} LIKE ${stringLiteral(pattern)} ESCAPE '!')`, type: 'bool' };
    }
    const pattern = this.value(patternAst);
    this.hint(pattern, 'string');
    if (name === 'startsWith') return { text: `(POSITION(${bare(pattern.text)} IN ${bare(text.text)}) = 1)`, type: 'bool' };
    if (name === 'contains') return { text: `(POSITION(${bare(pattern.text)} IN ${bare(text.text)}) > 0)`, type: 'bool' };
    return { text: `(RIGHT(${bare(text.text)}, CHAR_LENGTH(${bare(pattern.text)})) = ${pattern.text})`, type: 'bool' };
  }

  /** timestamp('2026-01-01T00:00:00Z') and duration('15m') are milliseconds, folded to numbers here. */
  private time(name: string, all: readonly ASTNode[], ast: ASTNode): Sql {
    const arg = all.length === 1 ? all[0]! : null;
    if (arg?.op !== 'value' || typeof arg.args !== 'string') {
      return this.fail(`${name}() translates only with a literal ('${name === 'duration' ? '15m' : '2026-01-01T00:00:00Z'}')`, ast);
    }
    const ms = name === 'timestamp' ? parseTimestamp(arg.args) : parseDuration(arg.args);
    if (ms === null) return this.fail(`${name}('${arg.args}') is not a valid ${name}`, ast);
    return { text: numberLiteral(ms), type: 'number' };
  }

  /** min(a, b, ...) → LEAST, max → GREATEST; min([a, b]) of a list literal likewise. */
  private extreme(name: string, all: readonly ASTNode[], ast: ASTNode): Sql {
    const items = all.length === 1 && all[0]!.op === 'list' ? (all[0]!.args as ASTNode[]) : all;
    if (items.length === 1) {
      return this.fail(`${name}() of a list field has no Flink SQL expression; aggregate it in a window step instead`, ast);
    }
    if (items.length === 0) return this.fail(`${name}() of an empty list is an error`, ast);
    const values = items.map((n) => this.value(n));
    const first = values[0]!;
    const type = values.every((v) => v.type === first.type) ? first.type : 'dyn';
    for (const v of values) this.hint(v, type);
    return { text: `${name === 'min' ? 'LEAST' : 'GREATEST'}(${values.map((v) => bare(v.text)).join(', ')})`, type };
  }
}
