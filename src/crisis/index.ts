// The automatic half of crisis handling: feeds -> normalised alerts -> policy -> CrisisDecision.
// The crisis state (takeover on the signs, approval, audit) consumes FeedMonitor's decisions.

export {
  Alert,
  AlertArea,
  AlertMsgType,
  AlertReference,
  AlertSeverity,
  AlertSource,
  AlertStatus,
  AreaShape,
  alertKey,
  isExpired,
  LatLon,
  parseReferences,
  referencedIds,
  refersTo,
  WarningLevel,
} from './alert.ts';
export {
  type AreaMatchResult,
  distanceKm,
  matchAlertArea,
  polygonContains,
  SignLocation,
  type SignLocationInput,
} from './area-match.ts';
export {
  CrisisAction,
  type CrisisDecision,
  CrisisPolicyConfig,
  type CrisisPolicyConfigInput,
  DEFAULT_CRISIS_POLICY,
  decideCrisis,
  isSirenTest,
  type PolicyContext,
} from './crisis-policy.ts';
export {
  CrisisFeedConfig,
  type CrisisFeedConfigInput,
  CrisisFeedEnv,
  crisisFeedConfigFromEnv,
  crisisFeedConfigFromEnvValues,
  feedUrls,
  SR_VMA_DEFAULT_URL,
} from './feed-config.ts';
export { type FeedErrorKind, FeedFetchError, type FetchLike, parseRetryAfter } from './feed-http.ts';
export { FeedMonitor, type FeedMonitorOptions } from './feed-monitor.ts';
export {
  type BackoffConfig,
  backoffDelay,
  type FeedErrorInfo,
  type FeedHealth,
  type FeedLog,
  FeedPoller,
  type FeedPollerOptions,
  type PollOutcome,
  realTimers,
  silentLog,
  type Timers,
} from './feed-poller.ts';
export { capAdapter, parseCapFeed } from './feeds/cap-adapter.ts';
export { type AdapterResult, type FeedAdapter, FeedParseError } from './feeds/feed-adapter.ts';
export { krisinformationAdapter, parseKrisinformationFeed } from './feeds/krisinformation-adapter.ts';
export { parseSmhiFeed, smhiAdapter } from './feeds/smhi-adapter.ts';
export { normaliseSrVma, parseSrVmaFeed, srVmaAdapter } from './feeds/sr-vma-adapter.ts';
export { SseClient, type SseEvent, SseParser } from './sse-client.ts';
export { decodeHtmlEntities, toPlainText } from './text-clean.ts';
