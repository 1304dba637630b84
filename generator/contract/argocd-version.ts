/**
 * @module argocd-server's answer to `GET /api/version` (server/version/version.go): `Version`
 * always, the build details only for a logged-in caller. The UI reads `Version` to know which
 * fields the application list allows. Pure zod, safe for the browser.
 */
import { z } from 'zod';

export const argoCdVersionMessageSchema = z.object({ Version: z.string().min(1) });

export type ArgoCdVersionMessage = z.infer<typeof argoCdVersionMessageSchema>;
