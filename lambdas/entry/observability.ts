/** Powertools logger, tracer and (for the consumer) metrics for an entry file, and the logger as the handlers' port. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger as LoggerPort } from '../core/ports';

/** The CloudWatch namespace of the metrics: the stack sets one per stage. */
export const DEFAULT_METRICS_NAMESPACE = 'movierec';

export interface Observability {
  logger: Logger;
  tracer: Tracer;
  /** The logger as the handlers take it (their Logger port). */
  handlerLogger: LoggerPort;
}

/**
 * The logger follows the function's application log level (Lambda sets AWS_LAMBDA_LOG_LEVEL); the
 * tracer is off where the stack turned X-Ray off (POWERTOOLS_TRACE_ENABLED).
 */
export function observability(service: string): Observability {
  const logger = new Logger({ serviceName: service });
  return {
    logger,
    tracer: new Tracer({ serviceName: service }),
    handlerLogger: {
      debug: (message, data) => logger.debug(message, data ?? {}),
      warn: (message, data) => logger.warn(message, data ?? {}),
      error: (message, data) => logger.error(message, data ?? {}),
    },
  };
}

/** Metrics of a function that publishes its own: each costs a custom metric a month, so only what AWS does not publish. */
export function customMetrics(service: string): Metrics {
  return new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE, serviceName: service });
}

/**
 * The Lambda handler: a trace segment (when traced), the request id in every log line, and the
 * metrics, if any, flushed (as CloudWatch embedded metric format) at the end of each invocation,
 * failed ones included.
 */
export function instrumented<I, O>({ logger, tracer }: Observability, handler: (input: I, context: Context) => Promise<O>, metrics?: Metrics) {
  const wrapped = middy(handler).use(captureLambdaHandler(tracer)).use(injectLambdaContext(logger));
  return metrics ? wrapped.use(logMetrics(metrics)) : wrapped;
}
