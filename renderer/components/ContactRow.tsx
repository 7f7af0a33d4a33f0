import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { Ellipsis, Phone, Star, Video } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { MediaKind } from '../../protocol/index.js';
import { PresenceBadge, type PresenceKey } from './PresenceGlyph.js';

export interface ContactRowProps {
  userId: string;
  /** The directory's display name; the id when none is known. */
  name: string;
  presence: PresenceKey;
  favourite: boolean;
  favouriteLocked: boolean;
  canCall: boolean;
  onCall: (media: MediaKind) => void;
  onToggleFavourite: () => void;
}

/**
 * One compact row: avatar, name with the id and presence below it, ONE call action (audio), and
 * a "…" menu for the rest (video call, favourite). Fits 360 px without wrapping.
 */
export function ContactRow(props: ContactRowProps) {
  const { t } = useTranslation();
  const { userId, name } = props;
  const favouriteLabel = t(props.favourite ? 'contacts.removeFavourite' : 'contacts.addFavourite', {
    name,
  });
  return (
    <li className="contact-row" data-user={userId}>
      <span className="avatar" aria-hidden="true">
        {name.slice(0, 1).toUpperCase()}
      </span>
      <span className="contact-name">
        <strong title={name}>
          {name}
          {props.favourite && (
            <>
              <Star className="favourite-mark" aria-hidden="true" size={12} />
              <span className="visually-hidden">{t('contacts.favourites')}</span>
            </>
          )}
        </strong>
        <small>
          {name !== userId && <span className="contact-id">{userId}</span>}
          <PresenceBadge presence={props.presence} />
        </small>
      </span>
      <button
        type="button"
        className="icon-button call-audio"
        disabled={!props.canCall}
        aria-label={t('contacts.callAudio', { name })}
        title={t('contacts.callAudio', { name })}
        onClick={() => {
          props.onCall('audio');
        }}
      >
        <Phone aria-hidden="true" size={18} />
      </button>
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger asChild>
          <button
            type="button"
            className="icon-button row-more"
            aria-label={t('shell.more', { name })}
            title={t('shell.more', { name })}
          >
            <Ellipsis aria-hidden="true" size={18} />
          </button>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content className="menu" align="end" sideOffset={4}>
            <DropdownMenu.Item
              className="menu-item call-video"
              disabled={!props.canCall}
              onSelect={() => {
                props.onCall('video');
              }}
            >
              <Video aria-hidden="true" size={16} />
              {t('contacts.callVideo', { name })}
            </DropdownMenu.Item>
            <DropdownMenu.Item
              className="menu-item"
              disabled={props.favouriteLocked}
              onSelect={props.onToggleFavourite}
            >
              <Star aria-hidden="true" size={16} />
              {favouriteLabel}
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </li>
  );
}
