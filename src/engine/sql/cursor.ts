import { badRequest } from "../../core/errors.ts";
import { type Token, tokenize } from "./lexer.ts";

/** A position in the tokens of one statement, with the small steps floe's parser is made of. */
export class Cursor {
  private readonly tokens: Token[];
  private i = 0;

  constructor(readonly sql: string) {
    this.tokens = tokenize(sql);
  }

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  /** Whether the next tokens are these keywords (case-insensitive, unquoted). */
  isWord(...words: string[]): boolean {
    return words.every((w, k) => {
      const t = this.tokens[this.i + k];
      return t?.kind === "word" && t.value.toUpperCase() === w;
    });
  }

  /** Consumes the keywords if they come next. */
  acceptWord(...words: string[]): boolean {
    if (!this.isWord(...words)) return false;
    this.i += words.length;
    return true;
  }

  expectWord(...words: string[]): void {
    if (!this.acceptWord(...words)) this.fail(`expected ${words.join(" ")}`);
  }

  isSymbol(s: string): boolean {
    const t = this.peek();
    return t?.kind === "symbol" && t.value === s;
  }

  acceptSymbol(s: string): boolean {
    if (!this.isSymbol(s)) return false;
    this.i++;
    return true;
  }

  expectSymbol(s: string): void {
    if (!this.acceptSymbol(s)) this.fail(`expected '${s}'`);
  }

  /** A name: a word or a quoted identifier. */
  ident(what = "a name"): string {
    const t = this.peek();
    if (t?.kind !== "word" && t?.kind !== "quoted") this.fail(`expected ${what}`);
    this.i++;
    return t.value;
  }

  /** `a.b.c`: the parts of a dotted name. */
  qualifiedName(what = "a name"): string[] {
    const parts = [this.ident(what)];
    while (this.acceptSymbol(".")) parts.push(this.ident(what));
    return parts;
  }

  /**
   * A reference name, which may hold `-`, `.` and `/` when written without spaces (`feature/x-1`),
   * or be quoted.
   */
  refName(what = "a reference name"): string {
    const first = this.peek();
    if (first?.kind === "quoted" || first?.kind === "string") {
      this.i++;
      return first.value;
    }
    if (first?.kind !== "word" && first?.kind !== "number") this.fail(`expected ${what}`);
    let name = first.value;
    let end = first.end;
    this.i++;
    for (;;) {
      const t = this.peek();
      if (!t || t.start !== end) break;
      const joins =
        t.kind === "word" || t.kind === "number" || (t.kind === "symbol" && /^[-./_@~^*]$/.test(t.value));
      if (!joins) break;
      name += t.value;
      end = t.end;
      this.i++;
    }
    return name;
  }

  /** The next token, whatever it is. */
  take(): Token {
    const t = this.peek();
    if (!t) this.fail("expected more");
    this.i++;
    return t;
  }

  /** A string literal's value. */
  string(what = "a string"): string {
    const t = this.peek();
    if (t?.kind !== "string") this.fail(`expected ${what}`);
    this.i++;
    return t.value;
  }

  /** A non-negative integer literal. */
  integer(what = "a number"): number {
    const t = this.peek();
    if (t?.kind !== "number" || !/^\d+$/.test(t.value)) this.fail(`expected ${what}`);
    this.i++;
    return Number(t.value);
  }

  /** The text from the next token to the end of the statement. */
  rest(): string {
    const t = this.peek();
    return t ? this.sql.slice(t.start).trim() : "";
  }

  /** Consumes every token up to the end. */
  skipToEnd(): void {
    this.i = this.tokens.length;
  }

  expectEnd(): void {
    if (!this.done) this.fail("expected the end of the statement");
  }

  /** A BAD_REQUEST naming what was expected and where: `… at position 12 near 'FOO'`. */
  fail(message: string, at: Token | undefined = this.peek()): never {
    const t = at;
    const where = t ? `at position ${t.start} near '${this.sql.slice(t.start, t.end)}'` : "at the end";
    throw badRequest(`Syntax error: ${message} ${where}`);
  }
}
