import { type FieldIssue, Refusal, type RefusalKind } from '../domain/refusal.ts';

/**
 * A refusal by the content workflow (a bad field, not yours, not found, the wrong state, content that breaks the
 * road-safety lint); `issues` name the fields. The API and the CLI say the same message.
 */
export class WorkflowError extends Refusal {
  constructor(kind: RefusalKind, message: string, issues?: FieldIssue[]) {
    super(kind, message, issues);
    this.name = 'WorkflowError';
  }
}

export const badRequest = (issues: FieldIssue[]) =>
  new WorkflowError('invalid', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);

/**
 * A 409 that carries what is there now (the item as it is, the draft as it is), so a client can show the user what
 * changed and let them decide again instead of overwriting it.
 */
export class ConflictError<T> extends WorkflowError {
  constructor(
    message: string,
    readonly current: T,
  ) {
    super('conflict', message);
    this.name = 'ConflictError';
  }
}
