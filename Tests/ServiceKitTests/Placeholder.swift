// ServiceKit tests land with the ServiceKit issue.
