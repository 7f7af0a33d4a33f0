import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { LogOut, Menu, Settings } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../app/api-context.js';
import { navigate } from '../app/route.js';

/**
 * The header's one menu: who is signed in, Settings and Sign out. Non-modal: a modal Radix menu
 * injects a <style> element to lock scrolling, which the server's CSP (style-src 'self') refuses.
 */
export function HeaderMenu({ displayName, userId }: { displayName: string; userId: string }) {
  const { t } = useTranslation();
  const api = useApi();
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger asChild>
        <button
          type="button"
          className="icon-button header-menu-button"
          aria-label={t('shell.menu')}
          title={t('shell.menu')}
          data-testid="header-menu"
        >
          <Menu aria-hidden="true" size={18} />
        </button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="end" sideOffset={4}>
          <DropdownMenu.Label className="menu-label">
            <strong>{displayName}</strong>
            {displayName !== userId && <small>{userId}</small>}
          </DropdownMenu.Label>
          <DropdownMenu.Separator className="menu-separator" />
          <DropdownMenu.Item
            className="menu-item"
            onSelect={() => {
              navigate('settings');
            }}
          >
            <Settings aria-hidden="true" size={16} />
            {t('nav.settings')}
          </DropdownMenu.Item>
          <DropdownMenu.Item
            className="menu-item"
            data-action="sign-out"
            onSelect={() => void api.signOut({}).catch(() => undefined)}
          >
            <LogOut aria-hidden="true" size={16} />
            {t('app.signOut')}
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
