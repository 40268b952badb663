// 12.17: a call to action cannot be slipped past the lint by how it is written.
import { describe, expect, it } from 'vitest';
import { asSeen, callToActionIn } from '../../src/domain/call-to-action.ts';

describe('calls to action, however they are written', () => {
  it.each([
    ['Ring 070.123 45 67', 'a phone number'],
    ['Ring 070/123 45 67', 'a phone number'],
    ['Ring 070-123.45.67', 'a phone number'],
    ['Ring (0512) 310 00', 'a phone number'],
    ['Ring 07\u00ad0-123 45 67', 'a phone number'],
    ['Ring 070\u200b1234567', 'a phone number'],
    ['Ring O7O-123 45 67', 'a phone number'],
    ['Ring 070-l23 45 67', 'a phone number'],
    ['Ring ０７０−１２３ ４５ ６７', 'a phone number'],
    ['Ring +46 70 123 45 67', 'a phone number'],
    ['Ring +46 (0)70-123 45 67', 'a phone number'],
    ['S\u041cS JUL till 72000', 'an SMS request'],
    ['\u0405MS JUL', 'an SMS request'],
    ['S M S JUL', 'an SMS request'],
    ['s.m.s JUL', 'an SMS request'],
    ['SM\u00adS JUL', 'an SMS request'],
    ['Sms:a JUL', 'an SMS request'],
    ['Sw\u0456sha en gåva', 'a Swish request'],
    ['Skanna koden', 'a QR code'],
    ['Q R-kod på affischen', 'a QR code'],
  ])('%j is %s', (text, what) => {
    expect(callToActionIn(text)?.en).toBe(what);
  });

  it.each([
    'Julkonsert med Vara Kammarkör',
    'lör 19 dec kl 18.00',
    'kl 09.00–12.00',
    'kl 10.00-16.00 varje dag',
    '05.12.2026',
    '2026-12-19',
    'Ringen 2026',
    'Olle Ljungström',
    'Simhallen öppen 1 jan',
    'Vara Konserthus',
    'Öppet 2025–2026',
    'Smaksatt öl',
    'Quiz på biblioteket',
  ])('%j is no call to action', (text) => {
    expect(callToActionIn(text)).toBeNull();
  });

  it('reads lookalikes and invisible characters as a reader sees them', () => {
    expect(asSeen('S\u041cS')).toBe('SMS');
    expect(asSeen('07\u00ad0')).toBe('070');
    expect(asSeen('０７０')).toBe('070');
  });
});
