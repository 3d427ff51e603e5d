/** Where text goes: a stream, or a test's buffer. */
export interface Sink {
  write(text: string): void;
}
