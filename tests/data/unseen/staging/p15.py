from _lib import page2, rec, who
page2('awsdocs/aws-elemental-mediaconnect-user-guide', 'doc_source/logging-using-cloudtrail.md', 'de6710da0d30d79018a85bbd08dcb8642a43c23c')
rec('mediaconnect.amazonaws.com', 'DescribeFlow', 'us-west-2', req={"flowArn": "arn%3Aaws%3Amediaconnect%3Aus-west-2%111122223333%3Aflow%3A1-23aBC45dEF67hiJ8-12AbC34DE5fG%3AAwardsShow"}, resp={}, ident=who('arn:aws:sts::111122223333:user/testUser', 'IAMUser'), version='1.05', time='2018-11-16T20:34:52Z', readOnly=True)
page2('awsdocs/aws-elemental-mediatailor-user-guide', 'doc_source/logging-using-cloudtrail.md', '799a80e3b0d178faf5d2f88bbe1864a9aa42ca48')
t = who('arn:aws:iam::111122223333:user/testuser')
rec('mediatailor.amazonaws.com', 'PutPlaybackConfiguration', 'us-west-2', req={"VideoContentSourceUrl": "http://examplevideo.com", "Name": "examplename", "AdDecisionServerUrl": "http://exampleads.com"}, resp={"AdDecisionServerUrl": "http://exampleads.com", "VideoContentSourceUrl": "http://examplevideo.com", "Name": "examplename"}, ident=t, version='1.05', time='2018-12-28T22:53:46Z', readOnly=False)
rec('mediatailor.amazonaws.com', 'GetPlaybackConfiguration', 'us-west-2', req={"Name": "examplename"}, ident=t, version='1.05', time='2018-12-28T22:52:37Z', readOnly=True)
page2('awsdocs/aws-license-manager-user-guide', 'doc_source/logging-using-cloudtrail.md', '6e0e9164c459a132528d74812ceb9a060c84ef2b')
rec('license-manager.amazonaws.com', 'DeleteLicenseConfiguration', req={"licenseConfigurationArn": "arn:aws:license-manager:us-east-1:O12345678901:license-configuration:lic-9ab477f4bEXAMPLE55f3ec08a5423f77"}, ident=who('arn:aws:iam::O12345678901:user/Administrator'), account='O12345678901', version='1.05', time='2019-02-15T06:48:37Z')
