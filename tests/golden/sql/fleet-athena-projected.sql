-- policygen: the distinct calls of every role and user in [from, to), with counts, by principal
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
  min(useridentity.arn) AS principal_arn,
  useridentity.type AS principal_type,
  COALESCE(useridentity.accountid, regexp_extract(useridentity.arn, '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) AS principal_account,
  CASE useridentity.type WHEN 'AssumedRole' THEN COALESCE(regexp_extract(useridentity.sessioncontext.sessionissuer.arn, '[^/]*$'), regexp_extract(useridentity.arn, '^arn:[^:]*:[^:]*:[^:]*:[^:]*:assumed-role/([^/]*)/', 1)) ELSE COALESCE(useridentity.username, regexp_extract(useridentity.arn, '[^/]*$')) END AS principal_name
FROM "db"."trail"
WHERE useridentity.type IN ('AssumedRole', 'IAMUser')
  AND CASE WHEN regexp_like(eventtime, '\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\z') THEN eventtime >= '2026-11-01T00:00:00Z' AND eventtime < '2026-12-01T00:00:00Z' ELSE true END
  AND "timestamp" BETWEEN '2026/11/01' AND '2026/12/02'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 18, 19, CASE WHEN regexp_like(eventtime, '\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\z') THEN NULL ELSE coalesce(eventtime, '') END
ORDER BY 17, 18, 19, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, CASE WHEN regexp_like(eventtime, '\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\z') THEN NULL ELSE coalesce(eventtime, '') END
