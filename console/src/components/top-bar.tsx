// The top navigation: the product, and the signed-in administrator with their role and the sign-out action.
import TopNavigation, { type TopNavigationProps } from '@cloudscape-design/components/top-navigation';
import { useNavigate } from 'react-router-dom';
import { roleLabels } from '../format';
import { useSession } from '../session';
import { toApiError } from './error-explanation';
import { useFlash } from './flash';
import { consoleHref } from './router-link';

export function TopBar() {
  const { state, signOut } = useSession();
  const { notify, notifyError } = useFlash();
  const navigate = useNavigate();

  async function signOutAndLeave() {
    try {
      await signOut();
      navigate('/signin');
      notify({ type: 'success', header: 'You are signed out.' });
    } catch (e) {
      notifyError('Signing out failed', toApiError(e));
    }
  }

  const utilities: TopNavigationProps.Utility[] = [];
  if (state.status === 'signed-in') {
    const admin = state.session.Administrator;
    utilities.push({
      type: 'menu-dropdown',
      text: `${admin.Email} (${roleLabels[admin.Role]})`,
      title: admin.Name,
      description: `${admin.Email} · ${roleLabels[admin.Role]}`,
      iconName: 'user-profile',
      // The item id doubles as its data-testid.
      items: [{ id: 'sign-out', text: 'Sign out' }],
      onItemClick: ({ detail }) => {
        if (detail.id === 'sign-out') void signOutAndLeave();
      },
    });
  }

  return (
    // Sticky and above the page, as Cloudscape's app layout expects of a header it measures (headerSelector).
    <div id="top-nav" style={{ position: 'sticky', top: 0, zIndex: 1002 }}>
      <TopNavigation
        identity={{
          title: 'Carillon',
          href: consoleHref('/accounts'),
          onFollow: (event) => {
            event.preventDefault();
            navigate('/accounts');
          },
        }}
        utilities={utilities}
      />
    </div>
  );
}
