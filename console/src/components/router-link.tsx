// Cloudscape links render real anchors (so "open in new tab" works); plain clicks are routed inside the app.
import Link, { type LinkProps } from '@cloudscape-design/components/link';
import { useCallback, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';

/** Where the server serves the console; the router's basename and the prefix of every href. */
export const CONSOLE_BASE = '/console';

export const consoleHref = (to: string) => CONSOLE_BASE + to;

type FollowEvent = CustomEvent<{ href?: string | undefined; external?: boolean | undefined }>;

export function useFollow(): (event: FollowEvent) => void {
  const navigate = useNavigate();
  return useCallback(
    (event: FollowEvent) => {
      const { href, external } = event.detail;
      if (!href || external || !href.startsWith(CONSOLE_BASE)) return;
      event.preventDefault();
      navigate(href.slice(CONSOLE_BASE.length) || '/');
    },
    [navigate],
  );
}

export function RouterLink({ to, children, ariaLabel, variant }: { to: string; children: ReactNode; ariaLabel?: string; variant?: LinkProps.Variant }) {
  const follow = useFollow();
  return (
    <Link href={consoleHref(to)} onFollow={follow} ariaLabel={ariaLabel} variant={variant}>
      {children}
    </Link>
  );
}
