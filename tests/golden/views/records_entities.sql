SELECT
  t.entity_id AS entity_id,
  t.kind AS kind,
  t.name AS name,
  t.uscc AS uscc,
  t.place AS place,
  t.in_registry AS in_registry,
  t.mentions AS mentions
FROM entities AS t
WHERE
  TRUE AND TRUE
