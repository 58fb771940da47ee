/**
 * Expressions of parameter constraints and derived metrics (`x0 + x1 <= 1`, `accuracy - 0.01 * latency_ms`).
 * mathjs parses the text; we then accept only an allow-listed subset of its syntax tree (numbers, names, arithmetic,
 * comparison, logic, `a ? b : c` and a few math functions) and evaluate that subset ourselves with plain numbers.
 * Nothing reaches mathjs's evaluator, so `import`, `evaluate`, assignments, function definitions, units, matrices
 * and object access are refused at compile time rather than sandboxed at run time.
 */
import type { MathNode } from 'mathjs';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';

/** The type of a value: a number, a truth value, or a categorical parameter's string. */
export type ValueType = 'number' | 'boolean' | 'string';

/** A value an expression reads or yields. */
export type ExpressionValue = number | boolean | string;

/** mathjs's `parse` (or anything with its contract); loaded lazily, see {@link loadParser}. */
export type ParseFunction = (text: string) => MathNode;

/** Why an expression is refused: what is wrong (naming the token) and what to write instead. */
export interface ExpressionProblem {
  readonly message: string;
  readonly fix: string;
}

/** A checked expression: its result type, the names it reads, and a fast evaluator over a scope of those names. */
export interface CompiledExpression {
  readonly text: string;
  readonly type: ValueType;
  readonly names: readonly string[];
  evaluate(scope: Readonly<Record<string, ExpressionValue>>): ExpressionValue;
}

/** Longest expression accepted: mathjs's parser recurses per nesting level, so unbounded text could blow the stack. */
export const maxExpressionLength = 1000;

/** Functions an expression may call (one or more numbers in, a number out). */
export const allowedFunctions: Readonly<Record<string, (...xs: number[]) => number>> = {
  abs: Math.abs,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  log10: Math.log10,
  log2: Math.log2,
  floor: Math.floor,
  ceil: Math.ceil,
  round: Math.round,
  min: Math.min,
  max: Math.max,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
};

const constants: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E };

const arithmetic: Readonly<Record<string, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  pow: (a, b) => a ** b,
  mod: (a, b) => a - b * Math.floor(a / b),
};

const comparison: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  smaller: (a, b) => a < b,
  larger: (a, b) => a > b,
  smallerEq: (a, b) => a <= b,
  largerEq: (a, b) => a >= b,
};

const logic: Readonly<Record<string, (a: boolean, b: boolean) => boolean>> = {
  and: (a, b) => a && b,
  or: (a, b) => a || b,
  xor: (a, b) => a !== b,
};

type Scope = Readonly<Record<string, ExpressionValue>>;
type Compiled = {
  readonly type: ValueType;
  readonly run: (s: Scope) => ExpressionValue;
  /** The variable it reads, when it is one (for the categorical value check of == and !=). */
  readonly symbol?: string;
  /** Its text, when it is a string constant. */
  readonly literal?: string;
};

/** What the tree walk carries: the declared variables, the names read so far, and categorical values. */
interface WalkContext {
  readonly vars: ReadonlyMap<string, ValueType>;
  readonly names: Set<string>;
  readonly categories: ReadonlyMap<string, readonly string[]>;
}

/** A refusal inside the tree walk; {@link compileExpression} turns it into an {@link ExpressionProblem}. */
class Refused extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

const allowedSyntax =
  'Use numbers, the names declared, + - * / ^ %, comparisons (< <= > >= == !=), and/or/not/xor, a ? b : c, and ' +
  `the functions ${Object.keys(allowedFunctions).join(', ')}.`;

/**
 * Parses and checks `text` against `variables` (name → the type of its value). Returns the compiled expression, or
 * the first problem, naming the offending token (a name, an operator, a function, or the character of a syntax
 * error). Never evaluates anything while checking.
 */
export function compileExpression(
  parse: ParseFunction,
  text: string,
  variables: ReadonlyMap<string, ValueType>,
  categories: ReadonlyMap<string, readonly string[]> = new Map(),
): { expression: CompiledExpression } | { problem: ExpressionProblem } {
  if (text.trim() === '') return { problem: { message: 'the expression is empty.', fix: allowedSyntax } };
  if (text.length > maxExpressionLength) {
    return {
      problem: {
        message: `the expression is ${text.length} characters long; at most ${maxExpressionLength} are accepted.`,
        fix: 'Write a shorter expression, or split a constraint into several.',
      },
    };
  }
  let root: MathNode;
  try {
    root = parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { problem: { message: `syntax error: ${why}.`, fix: allowedSyntax } };
  }
  const names = new Set<string>();
  try {
    const c = walk(root, { vars: variables, names, categories });
    return { expression: { text, type: c.type, names: [...names], evaluate: c.run } };
  } catch (err) {
    if (err instanceof Refused) return { problem: { message: err.message, fix: err.fix } };
    throw err;
  }
}

/** Compiles one node (see {@link compileExpression}); `names` collects the variables read. */
function walk(node: MathNode, ctx: WalkContext): Compiled {
  const n = node as MathNode & Record<string, unknown>;
  switch (node.type) {
    case 'ConstantNode':
      return constant(n.value);
    case 'SymbolNode':
      return symbol(String(n.name), ctx.vars, ctx.names);
    case 'ParenthesisNode':
      return walk(n.content as MathNode, ctx);
    case 'OperatorNode':
      return operator(
        String(n.fn),
        String(n.op),
        (n.args as MathNode[]).map((a) => walk(a, ctx)),
        ctx.categories,
      );
    case 'RelationalNode':
      return relational(
        n.conditionals as string[],
        (n.params as MathNode[]).map((a) => walk(a, ctx)),
      );
    case 'ConditionalNode':
      return conditional(
        walk(n.condition as MathNode, ctx),
        walk(n.trueExpr as MathNode, ctx),
        walk(n.falseExpr as MathNode, ctx),
      );
    case 'FunctionNode':
      // The function is checked before its arguments, so the error names it (import({...}) is about import).
      return call(n.fn as MathNode, () => (n.args as MathNode[]).map((a) => walk(a, ctx)));
    default:
      throw new Refused(`${describeNode(node)} is not allowed in an expression.`, allowedSyntax);
  }
}

function describeNode(node: MathNode): string {
  const what: Record<string, string> = {
    AssignmentNode: 'assignment (=)',
    FunctionAssignmentNode: 'a function definition',
    AccessorNode: 'property or index access',
    IndexNode: 'indexing',
    ArrayNode: 'a matrix or list',
    ObjectNode: 'an object',
    BlockNode: 'several statements (; or a new line)',
    RangeNode: 'a range (:)',
  };
  let text = '';
  try {
    // One line, and short: the message quotes the whole expression after it anyway.
    const shown = node.toString().replace(/\s+/g, ' ');
    text = ` '${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}'`;
  } catch {
    // toString of a hostile tree is only for the message.
  }
  return `${what[node.type] ?? node.type}${text}`;
}

function constant(value: unknown): Compiled {
  if (typeof value === 'number') return { type: 'number', run: () => value };
  if (typeof value === 'boolean') return { type: 'boolean', run: () => value };
  if (typeof value === 'string') return { type: 'string', run: () => value, literal: value };
  throw new Refused(
    `the constant ${JSON.stringify(String(value))} is not a number, true/false or a string.`,
    allowedSyntax,
  );
}

function symbol(name: string, vars: ReadonlyMap<string, ValueType>, names: Set<string>): Compiled {
  const type = vars.get(name);
  if (type !== undefined) {
    names.add(name);
    return { type, run: (s) => s[name] as ExpressionValue, symbol: name };
  }
  // Own properties only: `constructor` or `toString` must not reach Object.prototype.
  const value = Object.hasOwn(constants, name) ? constants[name] : undefined;
  if (value !== undefined) return { type: 'number', run: () => value };
  if (name === 'true' || name === 'false') return { type: 'boolean', run: () => name === 'true' };
  const known = [...vars.keys()].join(', ') || '(none)';
  const isFunction = Object.hasOwn(allowedFunctions, name) ? ` (${name} is a function: call it as ${name}(x))` : '';
  throw new Refused(`unknown name '${name}'${isFunction}.`, `Use one of: ${known}.`);
}

/** Refuses `c` unless it has type `want`; says which operator needed it and why a categorical cannot be used. */
function expect(c: Compiled, want: ValueType, op: string): void {
  if (c.type === want) return;
  if (c.type === 'string') {
    throw new Refused(
      `a categorical parameter or a string cannot be used with '${op}'.`,
      'Compare a categorical parameter with == or != to one of its values, e.g. optimizer == "adam".',
    );
  }
  throw new Refused(
    `'${op}' needs ${want === 'number' ? 'a number' : 'a true/false value'}, got ${c.type === 'number' ? 'a number' : 'a true/false value'}.`,
    want === 'boolean' ? 'Write a comparison there, e.g. x0 > 0.' : allowedSyntax,
  );
}

function operator(
  fn: string,
  op: string,
  args: Compiled[],
  categories: ReadonlyMap<string, readonly string[]>,
): Compiled {
  const [a, b] = args;
  if (args.length === 1 && a) {
    if (fn === 'unaryMinus' || fn === 'unaryPlus') {
      expect(a, 'number', op);
      return fn === 'unaryMinus' ? { type: 'number', run: (s) => -(a.run(s) as number) } : a;
    }
    if (fn === 'not') {
      expect(a, 'boolean', op);
      return { type: 'boolean', run: (s) => !a.run(s) };
    }
  }
  if (args.length === 2 && a && b) {
    const math = own(arithmetic, fn);
    if (math) return binary(a, b, 'number', 'number', op, math);
    const cmp = own(comparison, fn);
    if (cmp) return binary(a, b, 'number', 'boolean', op, cmp);
    const bool = own(logic, fn);
    if (bool) return binary(a, b, 'boolean', 'boolean', op, bool);
    if (fn === 'equal' || fn === 'unequal') {
      if (a.type !== b.type) {
        throw new Refused(
          `'${op}' compares a ${a.type} with a ${b.type}.`,
          'Compare a categorical parameter with one of its values in quotes (optimizer == "adam"), a number with a number.',
        );
      }
      checkCategory(a, b, categories);
      checkCategory(b, a, categories);
      return fn === 'equal'
        ? { type: 'boolean', run: (s) => a.run(s) === b.run(s) }
        : { type: 'boolean', run: (s) => a.run(s) !== b.run(s) };
    }
  }
  throw new Refused(`the operator '${op}' is not allowed.`, allowedSyntax);
}

/** Refuses `name == "value"` when the value is not one of the categorical parameter's: it would never match. */
function checkCategory(v: Compiled, c: Compiled, categories: ReadonlyMap<string, readonly string[]>): void {
  const values = v.symbol === undefined ? undefined : categories.get(v.symbol);
  if (values === undefined || c.literal === undefined || values.includes(c.literal)) return;
  throw new Refused(
    `${JSON.stringify(c.literal)} is not a value of ${v.symbol}, so the comparison never matches.`,
    `Use one of ${v.symbol}'s values: ${values.map((x) => JSON.stringify(x)).join(', ')}.`,
  );
}

/** `table[key]` when it is the table's own entry (never an inherited Object.prototype member). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function binary<A extends ExpressionValue, R extends ExpressionValue>(
  a: Compiled,
  b: Compiled,
  input: ValueType,
  type: ValueType,
  op: string,
  f: (x: A, y: A) => R,
): Compiled {
  expect(a, input, op);
  expect(b, input, op);
  return { type, run: (s) => f(a.run(s) as A, b.run(s) as A) };
}

/** `a < b <= c`: every comparison holds (mathjs's chained comparison). */
function relational(conditionals: readonly string[], params: Compiled[]): Compiled {
  const tests = conditionals.map((c, i) => {
    const cmp = own(comparison, c);
    if (!cmp) throw new Refused(`the comparison '${c}' cannot be chained.`, 'Chain only < <= > >=.');
    const a = params[i]!;
    const b = params[i + 1]!;
    expect(a, 'number', c);
    expect(b, 'number', c);
    return (s: Scope) => cmp(a.run(s) as number, b.run(s) as number);
  });
  return { type: 'boolean', run: (s) => tests.every((t) => t(s)) };
}

function conditional(cond: Compiled, yes: Compiled, no: Compiled): Compiled {
  expect(cond, 'boolean', '?');
  if (yes.type !== no.type) {
    throw new Refused(`the two branches of 'a ? b : c' have different types (${yes.type}, ${no.type}).`, allowedSyntax);
  }
  return { type: yes.type, run: (s) => (cond.run(s) ? yes.run(s) : no.run(s)) };
}

function call(fn: MathNode, walkArgs: () => Compiled[]): Compiled {
  const name = fn.type === 'SymbolNode' ? String((fn as MathNode & { name: unknown }).name) : '';
  const f = Object.hasOwn(allowedFunctions, name) ? allowedFunctions[name] : undefined;
  if (!f) {
    throw new Refused(
      `the function '${name || fn.toString()}' is not allowed.`,
      `Use only ${Object.keys(allowedFunctions).join(', ')}.`,
    );
  }
  const args = walkArgs();
  if (args.length === 0) throw new Refused(`${name}() needs an argument.`, `Write ${name}(x).`);
  for (const a of args) expect(a, 'number', `${name}()`);
  return { type: 'number', run: (s) => f(...args.map((a) => a.run(s) as number)) };
}

let parser: ParseFunction | undefined;

/** Hands over an already loaded mathjs `parse` (the spec loads it synchronously), so it is never loaded twice. */
export function provideParser(parse: ParseFunction): void {
  parser ??= parse;
}

/**
 * The parser once {@link loadParser} or {@link provideParser} ran; throws otherwise (a caller of an algorithm with
 * constraints must load it first, see `feasibilityOf`).
 */
export function loadedParser(): ParseFunction {
  if (parser === undefined) {
    throw new WorkbenchError(
      ErrorCode.internal,
      'parameter constraints need the expression parser: await loadParser() (hpo-workbench) before calling suggest',
    );
  }
  return parser;
}

/** The parser, loading mathjs on first use: only an experiment with expressions pays for loading it. */
export async function loadParser(): Promise<ParseFunction> {
  parser ??= (await import('mathjs')).parse;
  return parser;
}
