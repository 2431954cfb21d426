/** Powertools logger, metrics and tracer for an entry file, and the logger as the handlers' port. */
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
  metrics: Metrics;
  tracer: Tracer;
  port: LoggerPort;
}

export function observability(service: string): Observability {
  const logger = new Logger({ serviceName: service });
  return {
    logger,
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE, serviceName: service }),
    tracer: new Tracer({ serviceName: service }),
    port: {
      info: (message, data) => logger.info(message, data ?? {}),
      warn: (message, data) => logger.warn(message, data ?? {}),
      error: (message, data) => logger.error(message, data ?? {}),
    },
  };
}

/**
 * The Lambda handler: a trace segment, the request id in every log line, and the metrics flushed
 * (as CloudWatch embedded metric format) at the end of each invocation, failed ones included.
 */
export function instrumented<I, O>({ logger, metrics, tracer }: Observability, handler: (input: I, context: Context) => Promise<O>) {
  return middy(handler).use(captureLambdaHandler(tracer)).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}
