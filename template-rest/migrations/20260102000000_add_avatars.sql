-- Avatars: the storage key and the detected media type; both null until one is uploaded.
ALTER TABLE users ADD COLUMN avatar_key TEXT;
ALTER TABLE users ADD COLUMN avatar_content_type TEXT;
