DROP TABLE note_owners;
DROP TABLE notes;
