import { describe, expect, it } from 'vitest';
import { decodeHtmlEntities, toPlainText } from '../../src/crisis/text-clean.ts';

describe('decodeHtmlEntities', () => {
  it('decodes the Swedish letters Krisinformation writes as entities', () => {
    expect(decodeHtmlEntities('Sn&ouml;storm: E20 avst&auml;ngd mellan V&aring;rg&aring;rda och Vara')).toBe(
      'Snöstorm: E20 avstängd mellan Vårgårda och Vara',
    );
    expect(decodeHtmlEntities('&Aring;&Auml;&Ouml; &eacute; &uuml; &yuml; &nbsp;')).toBe('ÅÄÖ é ü ÿ \u00a0');
  });

  it('decodes numeric entities and leaves unknown or invalid ones alone', () => {
    expect(decodeHtmlEntities('&#229;&#xE4;&#XF6; &ndash; &amp;lt;')).toBe('åäö \u2013 &lt;');
    expect(decodeHtmlEntities('&nosuch; &#0; &#xD800; & alone')).toBe('&nosuch; &#0; &#xD800; & alone');
  });
});

describe('toPlainText', () => {
  it('strips tags without gluing words, and collapses CR/LF and double spaces', () => {
    expect(
      toPlainText(
        '<p>Trafikverket avråder från resor.</p><p>Följ <a href="https://www.trafikverket.se">Trafikverket</a>.</p>',
      ),
    ).toBe('Trafikverket avråder från resor. Följ Trafikverket.');
    expect(toPlainText('Det brinner.\r\nKraftig rökutveckling.  Röken driver mot nordost.')).toBe(
      'Det brinner. Kraftig rökutveckling. Röken driver mot nordost.',
    );
    expect(toPlainText('rad ett<br/>rad två<script>alert(1)</script>')).toBe('rad ett rad två');
  });

  it('decodes entities after removing tags, so escaped markup stays text', () => {
    expect(toPlainText('a &lt;b&gt; c')).toBe('a <b> c');
  });
});
