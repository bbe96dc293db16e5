// zod schemas of the Bot API answers rig reads: the envelope, the bot's User (getMe) and a sent Message.
// Loose objects: Telegram adds fields with every Bot API release, and rig must not break on them.
import { z } from 'zod';

/** `{"ok":true,"result":…}` or `{"ok":false,"error_code":401,"description":"Unauthorized"}`. */
export const EnvelopeSchema = z.discriminatedUnion('ok', [
  z.looseObject({ ok: z.literal(true), result: z.unknown(), description: z.string().optional() }),
  z.looseObject({
    ok: z.literal(false),
    error_code: z.int(),
    description: z.string(),
    parameters: z
      .looseObject({ retry_after: z.number().optional(), migrate_to_chat_id: z.number().optional() })
      .optional(),
  }),
]);

/** A user or bot (the `from` of a message). */
export const UserSchema = z.looseObject({
  id: z.int(),
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

/** What getMe returns: the bot itself, with the flags only getMe carries. */
export const BotSelfSchema = UserSchema.extend({
  is_bot: z.literal(true),
  username: z.string().min(1),
  can_join_groups: z.boolean().optional(),
  can_read_all_group_messages: z.boolean().optional(),
  supports_inline_queries: z.boolean().optional(),
});

export const ChatSchema = z.looseObject({
  id: z.int(),
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
});

/** A message as sendMessage returns it. */
export const MessageSchema = z.looseObject({
  message_id: z.int(),
  from: UserSchema.optional(),
  chat: ChatSchema,
  date: z.int(),
  text: z.string().optional(),
});

export type TelegramBotSelf = z.infer<typeof BotSelfSchema>;
export type TelegramMessage = z.infer<typeof MessageSchema>;
