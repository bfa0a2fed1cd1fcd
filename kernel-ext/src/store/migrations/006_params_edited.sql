-- An attempt made by "edit and rerun" runs with parameters the user changed, unlike a
-- retry, which copies them (docs/SEMANTICS.md "Edit and rerun").
ALTER TABLE jobs ADD COLUMN params_edited INTEGER NOT NULL DEFAULT 0;
