/**
 * The admin login form: one labelled password field for the admin token.
 * Posting it sets the session cookie (`src/api/admin-auth.ts`). Pure.
 */
import { html } from '../html.js';
import { renderPage } from '../layout.js';
import { adminNav, ADMIN_STYLESHEET } from './admin-nav.js';

export function renderLoginPage(options: { readonly next: string; readonly failed?: boolean }): string {
  return renderPage({
    title: 'Log in',
    stylesheet: ADMIN_STYLESHEET,
    nav: adminNav(''),
    main: html`<h1>Log in to the builds pages</h1>
${options.failed === true ? html`<p class="error" role="alert">That is not the admin token.</p>` : ''}
<form method="post" action="/admin/login" class="stack">
<label for="token">Admin token (the value of the variable named by <code>api.adminTokenEnv</code>)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<input type="hidden" name="next" value="${options.next}">
<button type="submit">Log in</button>
</form>`,
  });
}
