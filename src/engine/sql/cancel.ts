import type { DuckDBConnection, Json } from "@duckdb/node-api";
import type { StatementResult } from "./result.ts";

const INTERRUPT_EVERY_MS = 20;

/**
 * Cancelling a statement from outside (Ctrl-C in the shell, a statement timeout, a client that went
 * away): when `signal` aborts, DuckDB's connection is interrupted, and the statement fails with the
 * signal's reason, also when DuckDB had already stopped quietly (an interrupted streaming result
 * just ends) or floe was between DuckDB calls. The interrupt is armed from the start of the
 * statement until its rows have been read (or given up), so it never hits a later statement.
 */
export class Cancellation {
  private armed = true;
  private repeat: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void => {
    if (!this.armed) return;
    this.duck.interrupt();
    // An interrupt only stops the DuckDB call running now: floe may be between calls (planning a
    // scan, committing), so it is repeated until the statement ends.
    this.repeat = setInterval(() => this.duck.interrupt(), INTERRUPT_EVERY_MS);
    this.repeat.unref();
  };

  constructor(
    private readonly duck: DuckDBConnection,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Throws the signal's reason if it has aborted. */
  check(): void {
    if (this.signal?.aborted) throw this.reason();
  }

  /** The error a cancelled statement fails with. */
  reason(): Error {
    const r: unknown = this.signal?.reason;
    return r instanceof Error ? r : new Error(String(r ?? "Statement cancelled"));
  }

  /** Stops interrupting DuckDB for this statement. */
  release(): void {
    this.armed = false;
    clearInterval(this.repeat);
    this.signal?.removeEventListener("abort", this.onAbort);
  }

  /** The result, its rows checked for cancellation between batches; released when read or given up. */
  watch(r: StatementResult): StatementResult {
    if (this.signal === undefined) return r;
    return { ...r, batches: this.batches(r.batches) };
  }

  private async *batches(batches: AsyncIterable<Json[][]>): AsyncIterable<Json[][]> {
    try {
      for await (const b of batches) {
        this.check();
        yield b;
      }
      this.check(); // an interrupted stream ends early without an error
    } catch (e) {
      if (this.signal?.aborted) throw this.reason();
      throw e;
    } finally {
      this.release();
    }
  }
}
