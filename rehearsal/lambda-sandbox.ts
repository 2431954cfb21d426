/**
 * The inside of one emulated Lambda sandbox: a Node.js process whose environment is the function's,
 * which loads the deployed bundle from its code folder as the Node.js runtime does (`_HANDLER`,
 * `LAMBDA_TASK_ROOT`), then runs one invocation at a time for the parent process, with a Lambda
 * context and a fresh X-Ray trace header each, and answers with the result or the error as Lambda
 * reports it (errorType, errorMessage). It is built to a plain ESM file and run without a loader.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';

interface Invocation {
  id: number;
  event: unknown;
  deadline: number;
}

type Handler = (event: unknown, context: object) => Promise<unknown>;

const send = (message: object) => process.send!(message);

function lambdaError(err: unknown): { errorType: string; errorMessage: string; stackTrace: string[] } {
  const error = err instanceof Error ? err : new Error(String(err));
  return { errorType: error.name, errorMessage: error.message, stackTrace: (error.stack ?? '').split('\n').slice(1).map((l) => l.trim()) };
}

async function load(): Promise<Handler> {
  const [file, name] = process.env._HANDLER!.split('.') as [string, string];
  const root = process.env.LAMBDA_TASK_ROOT!;
  const path = ['.mjs', '.js', '.cjs'].map((ext) => join(root, `${file}${ext}`)).find((p) => existsSync(p));
  if (!path) throw new Error(`Cannot find module '${file}' in ${root}`);
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const handler = module[name];
  if (typeof handler !== 'function') throw new Error(`${file}.${name} is undefined or not exported`);
  return handler as Handler;
}

try {
  const handler = await load();
  process.on('message', (message: Invocation) => {
    // Lambda samples only the functions it traces (where it runs the X-Ray daemon).
    const sampled = process.env.AWS_XRAY_DAEMON_ADDRESS ? 1 : 0;
    process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=${sampled}`;
    const context = {
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: process.env.REHEARSAL_FUNCTION_ARN,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: randomUUID(),
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    };
    handler(message.event, context).then(
      (value) => send({ id: message.id, ok: true, value: value ?? null }),
      (err: unknown) => send({ id: message.id, ok: false, error: lambdaError(err) }),
    );
  });
  send({ ready: true });
} catch (err) {
  send({ ready: false, error: lambdaError(err) });
}
