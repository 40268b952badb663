import { GENERIC_CRISIS } from '../domain/crisis-text.ts';
/**
 * Ready-made crisis messages for the communicator's console, in the words Swedish authorities use.
 * The sign's crisis page always carries the header "VIKTIGT MEDDELANDE"; these are headline and
 * instruction, each short enough for one glance at 100 km/h.
 */
export const CRISIS_TEMPLATES = [
  { id: 'vma-p4', label: 'VMA – lyssna på P4', ...GENERIC_CRISIS },
  { id: 'gas', label: 'Gasutsläpp', headline: 'Gasutsläpp', instruction: 'Stäng fönster' },
  { id: 'fire', label: 'Brand med rök', headline: 'Kraftig rök', instruction: 'Stäng fönster' },
  { id: 'water', label: 'Dricksvatten', headline: 'Koka vattnet', instruction: 'Läs mer: vara.se' },
] as const;

export type CrisisTemplateId = (typeof CRISIS_TEMPLATES)[number]['id'];
