import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { LintFinding } from '../domain/content-lint.ts';
import { ItemContent, Organisation } from '../domain/item-content.ts';
import { PIXEL_FORMATS, type PixelFormat } from '../render/frame.ts';
import { framePng } from '../render/frame-png.ts';
import { ImageImportError, type ImportedImage, importImage } from '../render/image-import.ts';
import { lintRenderedItem } from '../render/lint-render.ts';
import { RenderContentError } from '../render/render-errors.ts';
import { DEFAULT_SIGN_PROFILES, type SignProfile, signProfile, signProfileFromConfig } from '../render/sign-profile.ts';

const USAGE = `usage: skylt render ITEM.json|PLAYLIST.json [--sign ID] [--out DIR] [--format FORMAT]

Renders an item, or every item of a playlist, to one PNG per sign, made from the exact framebuffer
bytes the sign would get, and prints the road-safety lint of each.

  --sign ID        only this sign (repeatable); default: every configured sign
  --out DIR        where to write the PNGs (default: ./render-out)
  --format FORMAT  preview as another pixel format: ${PIXEL_FORMATS.join(', ')}

Exit status: 0 all rendered without lint errors, 1 an item failed or has lint errors, 2 bad usage or file.`;

/** One entry to render: the playlist item fields that matter here, all optional but the content. */
const RenderEntry = z.object({
  id: z.string().optional(),
  organisation: Organisation.optional(),
  content: ItemContent,
  dwellSeconds: z.number().optional(),
  infoLink: z.string().optional(),
  showLink: z.boolean().optional(),
  showInfoLink: z.boolean().optional(),
  signs: z.array(z.string()).optional(),
});
type RenderEntry = z.infer<typeof RenderEntry>;

/** A playlist file ({items: [...]}, version 1 or looser), a playlist item ({content}) or bare item content. */
const RenderFile = z.union([
  z.object({ items: z.array(z.union([RenderEntry, ItemContent.transform((content) => ({ content }))])).min(1) }),
  RenderEntry.transform((e) => ({ items: [e] })),
  ItemContent.transform((content) => ({ items: [{ content, bare: true }] })),
]);

interface Io {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

export async function renderCommand(
  argv: string[],
  io: Io = consoleIo,
  signs?: readonly SignProfile[],
): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e: unknown) {
    io.err(`skylt render: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    io.out(USAGE);
    return 0;
  }
  const file = args.positionals[0];
  if (!file || args.positionals.length > 1) {
    io.err(`skylt render: give exactly one ITEM.json or PLAYLIST.json\n\n${USAGE}`);
    return 2;
  }
  const format = args.values.format as PixelFormat | undefined;
  if (format && !PIXEL_FORMATS.includes(format)) {
    io.err(`skylt render: --format must be one of ${PIXEL_FORMATS.join(', ')}`);
    return 2;
  }

  let allSigns: readonly SignProfile[];
  try {
    allSigns = signs ?? (await configuredSigns());
  } catch (e: unknown) {
    io.err(`skylt render: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const wanted = args.values.sign ?? [];
  const unknown = wanted.filter((id) => !allSigns.some((s) => s.id === id));
  if (unknown.length > 0) {
    io.err(`skylt render: unknown sign ${unknown.join(', ')}; configured: ${allSigns.map((s) => s.id).join(', ')}`);
    return 2;
  }
  const chosen = (wanted.length ? allSigns.filter((s) => wanted.includes(s.id)) : allSigns).map((s) =>
    format ? signProfile({ ...s, format }) : s,
  );

  const path = resolve(file);
  let entries: (RenderEntry & { bare?: boolean })[];
  try {
    const raw: unknown = JSON.parse(await readFile(path, 'utf8'));
    const parsed = RenderFile.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(top level)'}: ${i.message}`);
      io.err(
        `skylt render: ${file} is neither an item nor a playlist:\n${[...new Set(problems)].slice(0, 20).join('\n')}`,
      );
      return 2;
    }
    entries = parsed.data.items;
  } catch (e: unknown) {
    io.err(`skylt render: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }

  const outDir = resolve(args.values.out ?? 'render-out');
  await mkdir(outDir, { recursive: true });
  const stem = basename(path, extname(path));
  let failed = 0;
  for (const [index, entry] of entries.entries()) {
    const name = entry.id ?? (entries.length === 1 ? stem : `${stem}-${index + 1}`);
    let image: ImportedImage | undefined;
    if (entry.content.kind === 'image') {
      try {
        image = await importImage(await readFile(resolve(dirname(path), entry.content.image)));
      } catch (e: unknown) {
        io.err(
          `${name}: ${e instanceof ImageImportError ? e.message : `cannot read image ${entry.content.image}: ${String(e)}`}`,
        );
        failed++;
        continue;
      }
    }
    for (const sign of chosen) {
      if (entry.signs && !entry.signs.includes(sign.id)) continue;
      const showInfoLink = entry.showInfoLink ?? entry.showLink ?? false;
      try {
        const { findings, page } = lintRenderedItem(entry.content, sign, {
          ...(entry.dwellSeconds !== undefined ? { dwellSeconds: entry.dwellSeconds } : {}),
          infoLink: entry.infoLink ?? null,
          showInfoLink,
          render: { ...(image ? { image } : {}), ...(entry.organisation ? { organiser: entry.organisation } : {}) },
        });
        // A bare content file has no playlist item around it: its link is not known, so not checked.
        const shown = entry.bare ? findings.filter((f) => f.rule !== 'info-link') : findings;
        if (page) {
          const target = join(outDir, `${name}.${sign.id}.png`);
          await writeFile(target, framePng(page.frame, sign.monoColour));
          io.out(
            `${target}  ${page.frame.width}x${page.frame.height} ${page.frame.format}${page.omitted.length ? `  (left out: ${page.omitted.join(', ')})` : ''}`,
          );
        } else io.out(`${name} on ${sign.id}: not rendered`);
        for (const f of shown) io.out(`  ${describe(f)}`);
        if (!page || shown.some((f) => f.severity === 'error')) failed++;
      } catch (e: unknown) {
        if (!(e instanceof RenderContentError)) throw e;
        io.err(`${name} on ${sign.id}: ${e.message}`);
        failed++;
      }
    }
  }
  return failed > 0 ? 1 : 0;
}

function describe(f: LintFinding): string {
  return `${f.severity} ${f.rule}${f.field ? ` (${f.field})` : ''}: ${f.message}`;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sign: { type: 'string', multiple: true },
      out: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The signs as Skylt is configured (SKYLT_CONFIG), or the two embedded E20 signs. */
async function configuredSigns(): Promise<readonly SignProfile[]> {
  if (!process.env.SKYLT_CONFIG) return DEFAULT_SIGN_PROFILES;
  const { loadConfig } = await import('../config.ts');
  return loadConfig().signs.map(signProfileFromConfig);
}
