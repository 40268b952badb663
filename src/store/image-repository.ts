import type { Organisation } from '../domain/item-content.ts';
import type { Db } from './database.ts';

export interface ImageRecord {
  id: string;
  organisation: Organisation;
  width: number;
  height: number;
  sourceFormat: string;
  sourceBytes: number;
  sha256: string;
  filename: string | null;
  uploadedBy: string;
  uploadedAt: string;
}

const toImage = (r: Record<string, unknown>): ImageRecord => ({
  id: r.id as string,
  organisation: r.organisation as Organisation,
  width: r.width as number,
  height: r.height as number,
  sourceFormat: r.source_format as string,
  sourceBytes: r.source_bytes as number,
  sha256: r.sha256 as string,
  filename: (r.filename as string | null) ?? null,
  uploadedBy: r.uploaded_by as string,
  uploadedAt: r.uploaded_at as string,
});

export interface ImageScope {
  scope: 'all' | 'reviewer' | 'own';
  organisation: Organisation;
}

/** Uploaded pictures, kept in SQLite as the renderer's normalised PNG (small: at most 1536 px a side). */
export function imageRepository(db: Db) {
  const insert = db.prepare(
    `INSERT INTO images (id, organisation, png, width, height, source_format, source_bytes, sha256, filename, uploaded_by, uploaded_at)
     VALUES (@id, @organisation, @png, @width, @height, @sourceFormat, @sourceBytes, @sha256, @filename, @uploadedBy, @uploadedAt)`,
  );
  const meta = db.prepare(
    'SELECT id, organisation, width, height, source_format, source_bytes, sha256, filename, uploaded_by, uploaded_at FROM images WHERE id = ?',
  );
  const png = db.prepare('SELECT png FROM images WHERE id = ?').pluck();
  // Who sees a picture: admins all (scope "all"); everyone their own organisation's; a reviewer also another
  // organisation's picture once an item using it has been submitted (scope "reviewer"), never a draft's.
  const visible = `(@scope = 'all' OR organisation = @organisation OR (@scope = 'reviewer' AND id IN (
       SELECT json_extract(content_json, '$.image') FROM items WHERE kind = 'image' AND state <> 'draft')))`;
  const page = db.prepare(
    `SELECT id, organisation, width, height, source_format, source_bytes, sha256, filename, uploaded_by, uploaded_at FROM images
     WHERE ${visible} ORDER BY uploaded_at DESC, id LIMIT @limit OFFSET @offset`,
  );
  const count = db.prepare(`SELECT count(*) FROM images WHERE ${visible}`).pluck();
  const seen = db.prepare(`SELECT 1 FROM images WHERE id = @id AND ${visible}`).pluck();
  return {
    insert(image: ImageRecord & { png: Buffer }): void {
      insert.run(image);
    },
    byId(id: string): ImageRecord | null {
      const r = meta.get(id) as Record<string, unknown> | undefined;
      return r ? toImage(r) : null;
    },
    png(id: string): Buffer | null {
      return (png.get(id) as Buffer | undefined) ?? null;
    },
    list(scope: ImageScope, limit: number, offset: number): { rows: ImageRecord[]; total: number } {
      const rows = page.all({ ...scope, limit, offset }) as Record<string, unknown>[];
      return { rows: rows.map(toImage), total: count.get(scope) as number };
    },
    /** May a caller with this scope see the picture? */
    visible(id: string, scope: ImageScope): boolean {
      return seen.get({ id, ...scope }) === 1;
    },
  };
}
export type ImageRepository = ReturnType<typeof imageRepository>;
