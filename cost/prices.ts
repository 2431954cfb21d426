/**
 * The prices `npm run cost` multiplies usage by: AWS's on-demand list prices in one region, with no
 * free tier counted (an account's free tiers are shared by everything it runs). They are copied
 * from AWS's pricing pages as of the date below; change them here, and only here, when AWS does.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2025-11-01',
  lambda: {
    /** Arm64, per GB-second of billed duration (first 7.5 billion GB-seconds a month). */
    gbSecond: 0.0000133334,
    perMillionRequests: 0.2,
  },
  dynamodb: {
    /** On demand, Standard table class (since the price cut of November 2024). */
    perMillionWriteUnits: 0.625,
    perMillionReadUnits: 0.125,
    storageGbMonth: 0.25,
    /** Continuous backups (point-in-time recovery), per GB of table. */
    pitrGbMonth: 0.2,
  },
  s3: {
    standardGbMonth: 0.023,
    /** PUT, COPY, POST and LIST requests. */
    perThousandWrites: 0.005,
    /** GET, SELECT and all other requests but DELETE, which is free. */
    perThousandReads: 0.0004,
  },
  athena: {
    perTbScanned: 5,
    /** Every query is billed for at least this much. */
    minimumMbPerQuery: 10,
  },
  glue: { perMillionRequests: 1 },
  apiGatewayHttp: { perMillionRequests: 1 },
  /** Data transfer out of AWS to the internet: the API's answers (first 10 TB a month). */
  transferOutGb: 0.09,
  stepFunctions: { perThousandTransitions: 0.025 },
  cloudwatch: {
    logsIngestedGb: 0.5,
    logsStoredGbMonth: 0.03,
    customMetricMonth: 0.3,
    /** A standard-resolution alarm, per metric it evaluates (a metric math alarm pays for each). */
    alarmMetricMonth: 0.1,
    dashboardMonth: 3,
  },
  xray: { perMillionTraces: 5 },
  kms: { keyMonth: 1 },
  /** Kafka and its network, listed apart. */
  msk: {
    brokerHour: 0.0456,
    brokerType: 'kafka.t3.small',
    storageGbMonth: 0.1,
  },
  vpc: {
    interfaceEndpointHour: 0.01,
    natGatewayHour: 0.045,
  },
} as const;

/**
 * What AWS gives every account each month, for good (not the first year's free tier): what these
 * cover is shown apart, as it is free only where nothing else in the account uses it.
 */
export const ALWAYS_FREE = {
  lambdaRequests: 1_000_000,
  lambdaGbSeconds: 400_000,
  dynamodbStorageGb: 25,
  /** Ingested, stored and scanned, together. */
  cloudwatchLogsGb: 5,
  customMetrics: 10,
  alarmMetrics: 10,
  dashboards: 3,
  xrayTraces: 100_000,
  stepFunctionsTransitions: 4_000,
  glueRequests: 1_000_000,
  transferOutGb: 100,
} as const;

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
