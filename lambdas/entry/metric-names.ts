/** The services and metrics the functions publish, shared with the dashboard and alarms (lib/monitoring.ts). */
export const CONSUME_SERVICE = 'movierec-consume';
export const RECOMMEND_SERVICE = 'movierec-recommend';
export const BATCH_SERVICE = 'movierec-batch';

export const METRIC = {
  eventsReceived: 'EventsReceived',
  eventsApplied: 'EventsApplied',
  eventsQuarantined: 'EventsQuarantined',
  recommendationLatency: 'RecommendationLatency',
  batchStepDuration: 'BatchStepDuration',
  /** The dimension of the batch step duration. */
  stepDimension: 'Step',
} as const;
