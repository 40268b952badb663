import { HttpError } from '../api/error-handler.ts';

/**
 * A refusal by the content workflow: `statusCode` is what the API answers (400 bad field, 403 not yours,
 * 404 not found, 409 wrong state, 422 content that breaks the road-safety lint), `issues` name the fields.
 * The CLI prints the same message.
 */
export class WorkflowError extends HttpError {
  constructor(statusCode: number, message: string, issues?: Array<{ field: string; message: string }>) {
    super(statusCode, message, issues);
    this.name = 'WorkflowError';
  }
}

export const badRequest = (issues: Array<{ field: string; message: string }>) =>
  new WorkflowError(400, issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);

/**
 * A 409 that carries what is there now (the item as it is, the draft as it is), so a client can show the user what
 * changed and let them decide again instead of overwriting it.
 */
export class ConflictError<T> extends WorkflowError {
  constructor(
    message: string,
    readonly current: T,
  ) {
    super(409, message);
    this.name = 'ConflictError';
  }
}
