import type { SignProfile } from '../render/sign-profile.ts';
import type { SignConfig } from './sign-config.ts';
import type { SignController } from './sign-controller.ts';
import type { SignLink } from './sign-link.ts';

/** One sign as it runs: what it is, how it is reached, its controller, and the panel as the renderer sees it. */
export interface RunningSign {
  readonly config: SignConfig;
  readonly link: SignLink;
  readonly controller: SignController;
  readonly surface: SignProfile;
}
