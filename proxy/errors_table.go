// Code generated from the error documents of Debian's apache2 2.4.71 (captured with
// curl into testdata/errorpages); DO NOT EDIT by hand, re-capture instead.

package proxy

// cannedErrors are Apache's built-in error documents: reason phrase, heading and
// body, with {{METHOD}} and {{ADMIN}} standing for the request method and the
// ServerAdmin text.
var cannedErrors = map[int]cannedError{
	400: {"Bad Request", "Bad Request", "<p>Your browser sent a request that this server could not understand.<br />\n</p>\n"},
	401: {"Unauthorized", "Unauthorized", "<p>This server could not verify that you\nare authorized to access the document\nrequested.  Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn't understand how to supply\nthe credentials required.</p>\n"},
	402: {"Payment Required", "Payment Required", "<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n<p>Please contact the server administrator at \n {{ADMIN}} to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.</p>\n"},
	403: {"Forbidden", "Forbidden", "<p>You don't have permission to access this resource.</p>\n"},
	404: {"Not Found", "Not Found", "<p>The requested URL was not found on this server.</p>\n"},
	405: {"Method Not Allowed", "Method Not Allowed", "<p>The requested method {{METHOD}} is not allowed for this URL.</p>\n"},
	406: {"Not Acceptable", "Not Acceptable", "<p>An appropriate representation of the requested resource could not be found on this server.</p>\n"},
	407: {"Proxy Authentication Required", "Proxy Authentication Required", "<p>This server could not verify that you\nare authorized to access the document\nrequested.  Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn't understand how to supply\nthe credentials required.</p>\n"},
	408: {"Request Timeout", "Request Timeout", "<p>Server timeout waiting for the HTTP request from the client.</p>\n"},
	409: {"Conflict", "Conflict", "<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n<p>Please contact the server administrator at \n {{ADMIN}} to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.</p>\n"},
	410: {"Gone", "Gone", "<p>The requested resource is no longer available on this server and there is no forwarding address.\nPlease remove all references to this resource.</p>\n"},
	411: {"Length Required", "Length Required", "<p>A request of the requested method {{METHOD}} requires a valid Content-length.<br />\n</p>\n"},
	412: {"Precondition Failed", "Precondition Failed", "<p>The precondition on the request for this URL evaluated to false.</p>\n"},
	413: {"Request Entity Too Large", "Request Entity Too Large", "The requested resource does not allow request data with {{METHOD}} requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n"},
	414: {"Request-URI Too Long", "Request-URI Too Long", "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n</p>\n"},
	415: {"Unsupported Media Type", "Unsupported Media Type", "<p>The supplied request data is not in a format\nacceptable for processing by this resource.</p>\n"},
	416: {"Requested Range Not Satisfiable", "Requested Range Not Satisfiable", "<p>None of the range-specifier values in the Range\nrequest-header field overlap the current extent\nof the selected resource.</p>\n"},
	417: {"Expectation Failed", "Expectation Failed", "<p>No expectation was seen, the Expect request-header \nfield was not presented by the client.\n</p><p>Only the 100-continue expectation is supported.</p>\n"},
	421: {"Misdirected Request", "Misdirected Request", "<p>The client needs a new connection for this\nrequest as the requested host name does not match\nthe Server Name Indication (SNI) in use for this\nconnection.</p>\n"},
	422: {"Unprocessable Entity", "Unprocessable Entity", "<p>The server understands the media type of the\nrequest entity, but was unable to process the\ncontained instructions.</p>\n"},
	423: {"Locked", "Locked", "<p>The requested resource is currently locked.\nThe lock must be released or proper identification\ngiven before the method can be applied.</p>\n"},
	424: {"Failed Dependency", "Failed Dependency", "<p>The method could not be performed on the resource\nbecause the requested action depended on another\naction and that other action failed.</p>\n"},
	426: {"Upgrade Required", "Upgrade Required", "<p>The requested resource can only be retrieved\nusing SSL.  The server is willing to upgrade the current\nconnection to SSL, but your client doesn't support it.\nEither upgrade your client, or try requesting the page\nusing https://\n"},
	428: {"Precondition Required", "Precondition Required", "<p>The request is required to be conditional.</p>\n"},
	429: {"Too Many Requests", "Too Many Requests", "<p>The user has sent too many requests\nin a given amount of time.</p>\n"},
	431: {"Request Header Fields Too Large", "Request Header Fields Too Large", "<p>The server refused this request because\nthe request header fields are too large.</p>\n"},
	451: {"Unavailable For Legal Reasons", "Unavailable For Legal Reasons", "<p>Access to this URL has been denied for legal reasons.<br />\n</p>\n"},
	500: {"Internal Server Error", "Internal Server Error", "<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n<p>Please contact the server administrator at \n {{ADMIN}} to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.</p>\n"},
	501: {"Not Implemented", "Not Implemented", "<p>{{METHOD}} not supported for current URL.<br />\n</p>\n"},
	502: {"Bad Gateway", "Bad Gateway", "<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n</p>\n"},
	503: {"Service Unavailable", "Service Unavailable", "<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n"},
	504: {"Gateway Timeout", "Gateway Timeout", "<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>\n"},
	505: {"HTTP Version Not Supported", "HTTP Version Not Supported", "<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n<p>Please contact the server administrator at \n {{ADMIN}} to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.</p>\n"},
	506: {"Variant Also Negotiates", "Variant Also Negotiates", "<p>A variant for the requested resource\n<pre>\n\n</pre>\nis itself a negotiable resource. This indicates a configuration error.</p>\n"},
	507: {"Insufficient Storage", "Insufficient Storage", "<p>The method could not be performed on the resource\nbecause the server is unable to store the\nrepresentation needed to successfully complete the\nrequest.  There is insufficient free space left in\nyour storage allocation.</p>\n"},
	508: {"Loop Detected", "Loop Detected", "<p>The server terminated an operation because\nit encountered an infinite loop.</p>\n"},
	510: {"Not Extended", "Not Extended", "<p>A mandatory extension policy in the request is not\naccepted by the server for this resource.</p>\n"},
	511: {"Network Authentication Required", "Network Authentication Required", "<p>The client needs to authenticate to gain\nnetwork access.</p>\n"},
}
