/**
 * A "no" from Skylt's core, with a flag that says what kind of no: the core knows no HTTP. The edges map the kind:
 * the API to a status (src/api/error-handler.ts), the command line to its message and exit status. `issues` name
 * the fields at fault and why.
 */
export type RefusalKind =
  /** The input is malformed or a field is invalid. */
  | 'invalid'
  /** Nobody is signed in. */
  | 'unauthenticated'
  /** The caller may not do this. */
  | 'forbidden'
  /** No such thing (or one the caller may not see). */
  | 'notFound'
  /** The thing is not in a state that allows it, or changed meanwhile. */
  | 'conflict'
  /** A change must say which version it was made on (If-Match). */
  | 'preconditionRequired'
  /** The input is larger than allowed. */
  | 'tooLarge'
  /** The input is of a type that is not taken. */
  | 'unsupportedType'
  /** Well-formed, but its content breaks a rule (the road-safety lint, a broken picture). */
  | 'unprocessable'
  /** Too many attempts; wait. */
  | 'rateLimited'
  /** Skylt cannot do it now (busy, a fault); try again later. */
  | 'unavailable';

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

export const isRefusal = (e: unknown): e is Refusal => e instanceof Refusal;

/** An invalid input, naming each field at fault. */
export const invalidFields = (issues: FieldIssue[]) =>
  new Refusal('invalid', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
