// The frame of every screen: side navigation, breadcrumbs and the flash messages around the screen's content.
import Alert from '@cloudscape-design/components/alert';
import AppLayout from '@cloudscape-design/components/app-layout';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import SideNavigation, { type SideNavigationProps } from '@cloudscape-design/components/side-navigation';
import type { ReactNode } from 'react';
import { useLocation } from 'react-router-dom';
import type { Account } from '../api';
import { roleLabels } from '../format';
import { useSignedIn } from '../session';
import { Flashes } from './flash';
import { consoleHref, useFollow } from './router-link';

interface Crumb {
  text: string;
  to: string;
}

interface PageProps {
  children: ReactNode;
  breadcrumbs?: Crumb[];
  /** The account being worked on, whose own pages the side navigation then lists. */
  account?: Account | undefined;
  /** Screens outside a session (sign-in, setup) have no navigation. */
  bare?: boolean;
}

export function Page({ children, breadcrumbs, account, bare = false }: PageProps) {
  const follow = useFollow();
  return (
    <AppLayout
      headerSelector="#top-nav"
      navigationHide={bare}
      navigation={bare ? undefined : <Navigation account={account} />}
      toolsHide
      breadcrumbs={
        breadcrumbs && (
          <BreadcrumbGroup
            ariaLabel="Breadcrumbs"
            items={breadcrumbs.map((c) => ({ text: c.text, href: consoleHref(c.to) }))}
            onFollow={follow}
          />
        )
      }
      notifications={<Flashes />}
      content={children}
      ariaLabels={{
        navigation: 'Side navigation',
        navigationClose: 'Close side navigation',
        navigationToggle: 'Open side navigation',
        notifications: 'Notifications',
      }}
    />
  );
}

function Navigation({ account }: { account: Account | undefined }) {
  const { pathname } = useLocation();
  const follow = useFollow();
  const { can } = useSignedIn();
  const links: SideNavigationProps.Link[] = [
    { type: 'link', text: 'Accounts', href: consoleHref('/accounts') },
    { type: 'link', text: 'Deleted accounts', href: consoleHref('/deleted-accounts') },
    { type: 'link', text: 'Audit log', href: consoleHref('/audit') },
    // Only full administrators manage who administers: the others do not see the screens at all.
    ...(can('ListAdministrators') ? [{ type: 'link' as const, text: 'Administrators', href: consoleHref('/administrators') }] : []),
    ...(can('ListAccessKeys') ? [{ type: 'link' as const, text: 'Access keys', href: consoleHref('/access-keys') }] : []),
  ];
  const accountLinks: SideNavigationProps.Link[] = account
    ? [
        { type: 'link', text: 'Users', href: consoleHref(`/accounts/${encodeURIComponent(account.AccountId)}/users`) },
        { type: 'link', text: 'Domains', href: consoleHref(`/accounts/${encodeURIComponent(account.AccountId)}/domains`) },
        { type: 'link', text: 'Settings', href: consoleHref(`/accounts/${encodeURIComponent(account.AccountId)}/settings`) },
      ]
    : [];
  const items: SideNavigationProps.Item[] = account
    ? [...links, { type: 'divider' }, { type: 'section-group', title: account.Name, items: accountLinks }]
    : links;

  // The deepest link that contains the current path is the active one (a user's page lights up "Users").
  const current = consoleHref(pathname);
  const activeHref = [...links, ...accountLinks]
    .map((l) => l.href)
    .filter((href) => current === href || current.startsWith(`${href}/`))
    .sort((a, b) => b.length - a.length)[0];

  return <SideNavigation items={items} activeHref={activeHref} onFollow={follow} />;
}

/** A screen the administrator's role does not include (reached by a link or a typed address). */
export function NotForYourRole({ breadcrumbs, what }: { breadcrumbs: Crumb[]; what: string }) {
  const { admin } = useSignedIn();
  return (
    <Page breadcrumbs={breadcrumbs}>
      <Alert type="info" header={`${what} are for full administrators`}>
        Your role is {roleLabels[admin.Role]}, which does not include this screen. Ask an administrator with full access.
      </Alert>
    </Page>
  );
}
