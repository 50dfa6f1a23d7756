-- policygen: the distinct calls of one principal in [from, to), with counts
SELECT
  eventsource,
  eventname,
  eventtype,
  awsregion,
  recipientaccountid,
  errorcode,
  TRY(json_format(CAST(map_filter(CAST(json_parse(requestparameters) AS MAP(VARCHAR, JSON)), (k, v) -> contains(ARRAY['bucketName', 'functionName', 'key'], k)) AS JSON))) AS request,
  TRY(json_format(CAST(map_filter(CAST(json_parse(responseelements) AS MAP(VARCHAR, JSON)), (k, v) -> contains(ARRAY['stackId'], k)) AS JSON))) AS response,
  TRY(json_format(CAST(map_filter(CAST(json_parse(additionaleventdata) AS MAP(VARCHAR, JSON)), (k, v) -> contains(ARRAY['x-amz-id-2'], k)) AS JSON))) AS additional,
  array_join(transform(resources, r -> json_format(CAST(MAP(ARRAY['ARN', 'type'], ARRAY[r.arn, r.type]) AS JSON))), ',') AS resources,
  count(*) AS events,
  coalesce(min(eventtime), '') AS first_seen,
  max(eventtime) AS last_seen,
  min(eventid) AS sample_event_id,
  min(errormessage) AS error_message,
  min(useridentity.arn) AS principal_arn
FROM "db"."trail"
WHERE useridentity.type = 'IAMUser'
  AND (useridentity.username = 'o.brien+ci@example' OR useridentity.arn LIKE '%/o.brien+ci@example' ESCAPE '\')
  AND CASE WHEN regexp_like(eventtime, '\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\z') THEN eventtime >= '2026-11-17T00:00:00Z' AND eventtime < '2026-12-01T00:00:00Z' ELSE true END
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, CASE WHEN regexp_like(eventtime, '\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\z') THEN NULL ELSE coalesce(eventtime, '') END
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, CASE WHEN regexp_like(eventtime, '\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\z') THEN NULL ELSE coalesce(eventtime, '') END
