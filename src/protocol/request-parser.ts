// API contract (implementation in progress): see the helper task for details.
export interface RequestLimits {
  /** Longest inline request line, in bytes (redis: 64 KiB). */
  maxInlineBytes: number;
  /** Largest multibulk element count (redis: 1024*1024; 10 before authentication). */
  maxMultibulkLen: number;
  /** Largest bulk argument (proto-max-bulk-len; 16384 before authentication). */
  maxBulkLen: number;
  /** Most bytes buffered for one client (client-query-buffer-limit). */
  maxQueryBuffer: number;
}

export type ParseResult =
  | { kind: 'command'; argv: string[] }
  /** A protocol error: reply with `-<message>` and close the connection. */
  | { kind: 'error'; message: string };

export declare class RequestParser {
  constructor(limits?: Partial<RequestLimits>, isAuthenticated?: () => boolean);
  feed(chunk: Buffer): void;
  /** The next complete request, or undefined when more bytes are needed. */
  next(): ParseResult | undefined;
  bufferedBytes(): number;
}
