/** Powertools logger, metrics and tracer for an entry file, and the logger as the handlers' port. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Logger as LoggerPort } from '../core/ports';

export const METRICS_NAMESPACE = 'movierec';

export function observability(service: string): { logger: Logger; metrics: Metrics; tracer: Tracer; port: LoggerPort } {
  const logger = new Logger({ serviceName: service });
  return {
    logger,
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service }),
    tracer: new Tracer({ serviceName: service }),
    port: {
      info: (message, data) => logger.info(message, data ?? {}),
      warn: (message, data) => logger.warn(message, data ?? {}),
      error: (message, data) => logger.error(message, data ?? {}),
    },
  };
}
