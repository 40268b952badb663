import { describe, expect, it } from 'vitest';
import { CrisisFeedEnv, crisisFeedConfigFromEnv, feedUrls, SR_VMA_DEFAULT_URL } from '../../src/crisis/feed-config.ts';

describe('crisis feed configuration from SKYLT_* env', () => {
  it('defaults to SR VMA v3 with push, every 30 s, other feeds off', () => {
    const config = crisisFeedConfigFromEnv({});
    expect(config).toMatchObject({
      vmaUrl: SR_VMA_DEFAULT_URL,
      vmaPush: true,
      krisinfoUrl: null,
      smhiUrl: null,
      capUrls: [],
      pollIntervalMs: 30_000,
      timeoutMs: 10_000,
    });
    expect(config.policy.sources.cap.onAlert).toBe('propose');
  });

  it('reads every variable', () => {
    const config = crisisFeedConfigFromEnv({
      SKYLT_VMA_URL: 'http://127.0.0.1:9000/api/v3',
      SKYLT_VMA_PUSH: 'off',
      SKYLT_KRISINFO_URL: 'https://api.krisinformation.se/v3',
      SKYLT_SMHI_URL: 'https://opendata-download-warnings.smhi.se/ibww/api/version/1/warning.json',
      SKYLT_CAP_URLS: ' https://a.example/cap.xml , https://b.example/feed.atom,',
      SKYLT_FEED_POLL_SECONDS: '0.5',
      SKYLT_FEED_TIMEOUT_SECONDS: '3',
      SKYLT_CAP_POLICY: 'takeover',
    });
    expect(config).toMatchObject({
      vmaUrl: 'http://127.0.0.1:9000/api/v3',
      vmaPush: false,
      capUrls: ['https://a.example/cap.xml', 'https://b.example/feed.atom'],
      pollIntervalMs: 500,
      timeoutMs: 3_000,
    });
    expect(config.policy.sources.cap.onAlert).toBe('takeover');
    expect(config.policy.sources['sr-vma'].onAlert).toBe('takeover');

    const urls = feedUrls(config, { municipalityCodes: ['1470'], countyCodes: ['14'] });
    expect(urls).toEqual({
      vmaAlerts: [{ code: 'alerts', url: 'http://127.0.0.1:9000/api/v3/alerts' }],
      vmaSubscribe: null,
      krisinformation: 'https://api.krisinformation.se/v3/news?counties=14',
      smhi: 'https://opendata-download-warnings.smhi.se/ibww/api/version/1/warning.json',
      cap: ['https://a.example/cap.xml', 'https://b.example/feed.atom'],
    });
  });

  it('turns VMA off with "off", and treats empty URLs as unset', () => {
    const config = crisisFeedConfigFromEnv({ SKYLT_VMA_URL: 'off', SKYLT_KRISINFO_URL: '' });
    expect(config.vmaUrl).toBeNull();
    expect(config.krisinfoUrl).toBeNull();
    expect(feedUrls(config, { municipalityCodes: ['1470'], countyCodes: ['14'] }).vmaAlerts).toEqual([]);
  });

  it('names the variable that is wrong', () => {
    const bad = CrisisFeedEnv.safeParse({ SKYLT_CAP_URLS: 'ftp://x', SKYLT_FEED_POLL_SECONDS: 'often' });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path[0]);
    expect(paths).toContain('SKYLT_CAP_URLS');
    expect(paths).toContain('SKYLT_FEED_POLL_SECONDS');
  });
});
