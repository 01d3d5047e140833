/**
 * The calculator tool: arithmetic parsed by a small recursive-descent parser. It never
 * evaluates code (no `eval`, no `Function`): anything but numbers, operators, parentheses
 * and the few names below is refused.
 *
 * Grammar (usual precedence, `^` right-associative and above unary minus, as in maths):
 *   expression = term { ("+" | "-") term }
 *   term       = unary { ("*" | "/" | "%" | "×" | "÷") unary }
 *   unary      = ("-" | "+") unary | power
 *   power      = primary [ "^" unary ]
 *   primary    = number | constant | function "(" expression { "," expression } ")" | "(" expression ")"
 */
import { tool } from '@langchain/core/tools';
import { z } from 'zod';

/** Longest expression accepted, in characters. */
export const EXPRESSION_MAX = 500;
/** Deepest nesting of parentheses and unary signs. */
const DEPTH_MAX = 64;

export class CalculatorError extends Error {
  override readonly name = 'CalculatorError';
}

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };
const FUNCTIONS: Record<string, { arity: [number, number]; apply: (...args: number[]) => number }> =
  {
    sqrt: { arity: [1, 1], apply: Math.sqrt },
    abs: { arity: [1, 1], apply: Math.abs },
    round: { arity: [1, 1], apply: Math.round },
    floor: { arity: [1, 1], apply: Math.floor },
    ceil: { arity: [1, 1], apply: Math.ceil },
    ln: { arity: [1, 1], apply: Math.log },
    log10: { arity: [1, 1], apply: Math.log10 },
    sin: { arity: [1, 1], apply: Math.sin },
    cos: { arity: [1, 1], apply: Math.cos },
    tan: { arity: [1, 1], apply: Math.tan },
    min: { arity: [1, 16], apply: Math.min },
    max: { arity: [1, 16], apply: Math.max },
  };

type Token =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'op'; value: string; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (/\s/.test(char)) {
      i += 1;
      continue;
    }
    const number = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[a-zA-Z][a-zA-Z0-9]*/.exec(source.slice(i));
    if (name) {
      tokens.push({ kind: 'name', value: name[0].toLowerCase(), at: i });
      i += name[0].length;
      continue;
    }
    if ('+-*/%^(),×÷'.includes(char)) {
      const value = char === '×' ? '*' : char === '÷' ? '/' : char;
      tokens.push({ kind: 'op', value, at: i });
      i += 1;
      continue;
    }
    throw new CalculatorError(`Unexpected character "${char}" at position ${i + 1}`);
  }
  return tokens;
}

/** The value of an arithmetic `expression`; a CalculatorError explains a refusal. */
export function evaluate(expression: string): number {
  if (expression.length > EXPRESSION_MAX) {
    throw new CalculatorError(`Expressions are limited to ${EXPRESSION_MAX} characters`);
  }
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new CalculatorError('Empty expression');
  let position = 0;
  let depth = 0;

  const peek = () => tokens[position];
  const isOp = (value: string) => {
    const token = peek();
    return token?.kind === 'op' && token.value === value;
  };
  const expect = (value: string) => {
    if (!isOp(value)) {
      const token = peek();
      throw new CalculatorError(
        token
          ? `Expected "${value}" at position ${token.at + 1}`
          : `Expected "${value}" at the end`,
      );
    }
    position += 1;
  };
  const nested = <T>(parse: () => T): T => {
    depth += 1;
    if (depth > DEPTH_MAX) throw new CalculatorError('Expression nested too deeply');
    try {
      return parse();
    } finally {
      depth -= 1;
    }
  };

  const parseExpression = (): number => {
    let value = parseTerm();
    while (isOp('+') || isOp('-')) {
      const op = (tokens[position++] as Token).value;
      const right = parseTerm();
      value = op === '+' ? value + right : value - right;
    }
    return value;
  };
  const parseTerm = (): number => {
    let value = parseUnary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = (tokens[position++] as Token).value;
      const right = parseUnary();
      if ((op === '/' || op === '%') && right === 0) throw new CalculatorError('Division by zero');
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
    return value;
  };
  const parseUnary = (): number => {
    if (isOp('-') || isOp('+')) {
      const op = (tokens[position++] as Token).value;
      const value = nested(parseUnary);
      return op === '-' ? -value : value;
    }
    return parsePower();
  };
  const parsePower = (): number => {
    const base = parsePrimary();
    if (!isOp('^')) return base;
    position += 1;
    return base ** nested(parseUnary);
  };
  const parsePrimary = (): number => {
    const token = peek();
    if (!token) throw new CalculatorError('Unexpected end of expression');
    position += 1;
    if (token.kind === 'number') return token.value;
    if (token.kind === 'op' && token.value === '(') {
      const value = nested(parseExpression);
      expect(')');
      return value;
    }
    if (token.kind === 'name') {
      const constant = CONSTANTS[token.value];
      if (constant !== undefined && Object.hasOwn(CONSTANTS, token.value)) return constant;
      const fn = Object.hasOwn(FUNCTIONS, token.value) ? FUNCTIONS[token.value] : undefined;
      if (!fn) throw new CalculatorError(`Unknown name "${token.value}"`);
      expect('(');
      const args = [nested(parseExpression)];
      while (isOp(',')) {
        position += 1;
        args.push(nested(parseExpression));
      }
      expect(')');
      const [least, most] = fn.arity;
      if (args.length < least || args.length > most) {
        throw new CalculatorError(
          `${token.value} takes ${least === most ? least : `${least} to ${most}`} arguments`,
        );
      }
      return fn.apply(...args);
    }
    throw new CalculatorError(`Unexpected "${token.value}" at position ${token.at + 1}`);
  };

  const value = parseExpression();
  const rest = peek();
  if (rest) throw new CalculatorError(`Unexpected "${rest.value}" at position ${rest.at + 1}`);
  if (!Number.isFinite(value)) throw new CalculatorError('The result is not a finite number');
  return value;
}

/** A number as the tool reports it: no binary noise such as 0.30000000000000004. */
export const formatNumber = (value: number) => String(Number(value.toPrecision(15)));

export function createCalculatorTool() {
  return tool(
    async ({ expression }) => {
      try {
        return formatNumber(evaluate(expression));
      } catch (error) {
        if (error instanceof CalculatorError) return `Error: ${error.message}`;
        throw error;
      }
    },
    {
      name: 'calculator',
      description:
        'Evaluates an arithmetic expression: numbers, + - * / % ^, parentheses, pi, e and ' +
        'sqrt, abs, round, floor, ceil, ln, log10, sin, cos, tan, min, max.',
      schema: z.object({
        expression: z.string().min(1).max(EXPRESSION_MAX).describe('For example "12 * (3 + 4)"'),
      }),
    },
  );
}

/** The longest arithmetic expression in `text` (two numbers and an operator at least). */
export function findExpression(text: string): string | null {
  const candidates = text.match(/[-(\d][\d\s.()+\-*/^%×÷]*[\d)]/g) ?? [];
  const expressions = candidates
    .map((candidate) => candidate.trim())
    .filter((candidate) => /\d\s*[-+*/^%×÷]\s*[-(]*\s*\d/.test(candidate));
  return expressions.sort((a, b) => b.length - a.length)[0] ?? null;
}
