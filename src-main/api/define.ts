import type { z } from 'zod';

/**
 * One request/response pair of the contract. Schemas are zod so that every transport validates what crosses a
 * process or socket boundary at runtime, and TypeScript derives both sides' types from the same object.
 */
export interface MethodSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly request: Req;
  readonly response: Res;
  /** One line for humans: shown by `terrafuse api --help` and in error messages. */
  readonly summary: string;
}

export function method<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  summary: string,
): MethodSpec<Req, Res> {
  return { request, response, summary };
}
