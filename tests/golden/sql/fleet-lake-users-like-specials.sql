-- policygen: the distinct calls of every role and user in [from, to), with counts, by principal
SELECT
  eventsource,
  eventname,
  eventtype,
  awsregion,
  recipientaccountid,
  errorcode,
  json_format(CAST(map_filter(requestparameters, (k, v) -> contains(ARRAY['bucketName', 'functionName', 'key'], k)) AS JSON)) AS request,
  json_format(CAST(map_filter(responseelements, (k, v) -> contains(ARRAY['stackId'], k)) AS JSON)) AS response,
  json_format(CAST(map_filter(additionaleventdata, (k, v) -> contains(ARRAY['x-amz-id-2'], k)) AS JSON)) AS additional,
  array_join(transform(resources, r -> json_format(CAST(MAP(ARRAY['ARN', 'type'], ARRAY[r.arn, r.type]) AS JSON))), ',') AS resources,
  count(*) AS events,
  to_iso8601(min(eventtime)) AS first_seen,
  to_iso8601(max(eventtime)) AS last_seen,
  min(eventid) AS sample_event_id,
  min(errormessage) AS error_message,
  min(useridentity.arn) AS principal_arn,
  useridentity.type AS principal_type,
  COALESCE(useridentity.accountid, regexp_extract(useridentity.arn, '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) AS principal_account,
  CASE useridentity.type WHEN 'AssumedRole' THEN COALESCE(regexp_extract(useridentity.sessioncontext.sessionissuer.arn, '[^/]*$'), regexp_extract(useridentity.arn, '^arn:[^:]*:[^:]*:[^:]*:[^:]*:assumed-role/([^/]*)/', 1)) ELSE COALESCE(useridentity.username, regexp_extract(useridentity.arn, '[^/]*$')) END AS principal_name
FROM EXAMPLE-1
WHERE useridentity.type = 'IAMUser'
  AND CASE useridentity.type WHEN 'AssumedRole' THEN COALESCE(regexp_extract(useridentity.sessioncontext.sessionissuer.arn, '[^/]*$'), regexp_extract(useridentity.arn, '^arn:[^:]*:[^:]*:[^:]*:[^:]*:assumed-role/([^/]*)/', 1)) ELSE COALESCE(useridentity.username, regexp_extract(useridentity.arn, '[^/]*$')) END LIKE 'ci\_100\%_' ESCAPE '\'
  AND eventtime >= timestamp '2026-09-02 00:00:00'
  AND eventtime < timestamp '2026-12-01 00:00:00'
  AND awsregion IN ('us-east-1')
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 18, 19
ORDER BY 17, 18, 19, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
