import type { Site } from './site.ts';

export const UNKNOWN_PLATFORM = 'unknown';

/**
 * Coconut's platform column: the build's `platform` property; else a tag of its builder that some
 * other build names as its platform (l10n repacks carry `linux64` as a tag); else "unknown".
 */
export function platformOf(builderId: number, platformProperty: string | undefined, site: Site): string {
  if (platformProperty) return platformProperty;
  const tags = site.builders.get(builderId)?.tags ?? [];
  return tags.find((tag) => site.platforms.has(tag)) ?? UNKNOWN_PLATFORM;
}
