/**
 * Shares reads of a key among concurrent callers without ever answering from the past: a caller
 * joins a read only if that read is sent after the caller arrived. While one read of a key is in
 * flight, later callers wait for the next one, which starts when the current one ends. Reads stay
 * linearizable (every answer was read from the database after its request arrived), and a hot key
 * costs at most one query in flight per process instead of one per request.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, { running: Promise<T>; next?: Promise<T> }>();

  constructor(private readonly fetch: (key: string) => Promise<T>) {}

  get(key: string): Promise<T> {
    const flight = this.flights.get(key);
    if (!flight) return this.start(key);
    flight.next ??= flight.running.then(
      () => this.start(key),
      () => this.start(key),
    );
    return flight.next;
  }

  private start(key: string): Promise<T> {
    const running = this.fetch(key);
    const flight: { running: Promise<T>; next?: Promise<T> } = { running };
    this.flights.set(key, flight);
    const done = () => {
      if (this.flights.get(key) === flight && flight.next === undefined) this.flights.delete(key);
    };
    running.then(done, done);
    return running;
  }
}
