import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { framePng } from '../render/frame-png.ts';
import type { RunningSign } from '../signs/running-sign.ts';
import { HttpError } from './error-handler.ts';
import { seesAddresses } from './link-redaction.ts';

const SignParams = z.object({ id: z.string().describe('sign id, e.g. E20-N') });

export const SignInfo = z.object({
  id: z.string(),
  name: z.string(),
  direction: z.string(),
  facing: z.string(),
  lat: z.number(),
  lon: z.number(),
  width: z.int(),
  height: z.int(),
  pixelPitchMm: z.number(),
  pixelFormat: z.string(),
  minCharPixels: z.number().describe('smallest cap height in pixels for ~380 mm on this panel (may be fractional)'),
  link: z.string().nullable().describe('where the sign is reached (virtual, serial:…, tcp://…); null unless signed in'),
});

export function signRoutes(runtime: { readonly signs: ReadonlyMap<string, RunningSign> }): FastifyPluginAsyncZod {
  const find = (id: string) => {
    const sign = runtime.signs.get(id);
    if (!sign) throw new HttpError(404, `no sign "${id}"; signs are ${[...runtime.signs.keys()].join(', ')}`);
    return sign;
  };
  return async (app) => {
    app.get(
      '/api/signs',
      { schema: { tags: ['signs'], summary: 'The configured signs', response: { 200: z.array(SignInfo) } } },
      async (request) =>
        [...runtime.signs.values()].map(({ config: c, surface }) => ({
          id: c.id,
          name: c.name,
          direction: c.direction,
          facing: c.facing,
          lat: c.lat,
          lon: c.lon,
          width: c.width,
          height: c.height,
          pixelPitchMm: c.pixelPitchMm,
          pixelFormat: c.pixelFormat,
          minCharPixels: surface.minCharPixels,
          link: seesAddresses(request) ? c.link : null,
        })),
    );

    app.get(
      '/api/signs/:id/frame.png',
      {
        schema: {
          tags: ['signs'],
          summary: "PNG of what the sign displays now, decoded from the sign's own framebuffer",
          description:
            'For a virtual sign this is its framebuffer, decoded on the sign side of the link. For a sign whose framebuffer cannot be read over its link, it is the last frame the sign confirmed (header X-Skylt-Frame-Source: confirmed).',
          params: SignParams,
        },
      },
      async (request, reply) => {
        const sign = find(request.params.id);
        const frame = sign.link.virtualSign?.framebuffer();
        if (!frame) throw new HttpError(404, `sign ${sign.config.id} has no readable framebuffer on its link`);
        reply.header('Cache-Control', 'no-store').header('X-Skylt-Frame-Source', 'sign-framebuffer').type('image/png');
        return framePng(frame, sign.config.monoColour);
      },
    );
  };
}
