.class Lcom/mixpanel/android/mpmetrics/MPMetrics$TrackTask;
.super Ljava/lang/Object;
.source "MPMetrics.java"

# interfaces
.implements Ljava/lang/Runnable;


# annotations
.annotation system Ldalvik/annotation/EnclosingClass;
    value = Lcom/mixpanel/android/mpmetrics/MPMetrics;
.end annotation

.annotation system Ldalvik/annotation/InnerClass;
    accessFlags = 0x2
    name = "TrackTask"
.end annotation


# static fields
.field private static final LOGTAG:Ljava/lang/String; = "TrackTask"


# instance fields
.field final synthetic this$0:Lcom/mixpanel/android/mpmetrics/MPMetrics;


# direct methods
.method private constructor <init>(Lcom/mixpanel/android/mpmetrics/MPMetrics;)V
    .locals 0

    .prologue
    .line 222
    iput-object p1, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics$TrackTask;->this$0:Lcom/mixpanel/android/mpmetrics/MPMetrics;

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method synthetic constructor <init>(Lcom/mixpanel/android/mpmetrics/MPMetrics;Lcom/mixpanel/android/mpmetrics/MPMetrics$TrackTask;)V
    .locals 0

    .prologue
    .line 222
    invoke-direct {p0, p1}, Lcom/mixpanel/android/mpmetrics/MPMetrics$TrackTask;-><init>(Lcom/mixpanel/android/mpmetrics/MPMetrics;)V

    return-void
.end method


# virtual methods
.method public run()V
    .locals 11

    .prologue
    .line 227
    iget-object v8, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics$TrackTask;->this$0:Lcom/mixpanel/android/mpmetrics/MPMetrics;

    invoke-static {v8}, Lcom/mixpanel/android/mpmetrics/MPMetrics;->access$0(Lcom/mixpanel/android/mpmetrics/MPMetrics;)Lcom/mixpanel/android/mpmetrics/MPDbAdapter;

    move-result-object v8

    invoke-virtual {v8}, Lcom/mixpanel/android/mpmetrics/MPDbAdapter;->generateDataString()[Ljava/lang/String;

    move-result-object v0

    .line 228
    .local v0, "data":[Ljava/lang/String;
    if-nez v0, :cond_1

    .line 278
    :cond_0
    :goto_0
    return-void

    .line 234
    :cond_1
    new-instance v3, Lorg/apache/http/impl/client/DefaultHttpClient;

    invoke-direct {v3}, Lorg/apache/http/impl/client/DefaultHttpClient;-><init>()V

    .line 235
    .local v3, "httpclient":Lorg/apache/http/client/HttpClient;
    new-instance v4, Lorg/apache/http/client/methods/HttpPost;

    const-string v8, "http://api.mixpanel.com/track?ip=1"

    invoke-direct {v4, v8}, Lorg/apache/http/client/methods/HttpPost;-><init>(Ljava/lang/String;)V

    .line 239
    .local v4, "httppost":Lorg/apache/http/client/methods/HttpPost;
    :try_start_0
    new-instance v5, Ljava/util/ArrayList;

    const/4 v8, 0x1

    invoke-direct {v5, v8}, Ljava/util/ArrayList;-><init>(I)V

    .line 240
    .local v5, "nameValuePairs":Ljava/util/List;, "Ljava/util/List<Lorg/apache/http/NameValuePair;>;"
    new-instance v8, Lorg/apache/http/message/BasicNameValuePair;

    const-string v9, "data"

    const/4 v10, 0x1

    aget-object v10, v0, v10

    invoke-direct {v8, v9, v10}, Lorg/apache/http/message/BasicNameValuePair;-><init>(Ljava/lang/String;Ljava/lang/String;)V

    invoke-interface {v5, v8}, Ljava/util/List;->add(Ljava/lang/Object;)Z

    .line 241
    new-instance v8, Lorg/apache/http/client/entity/UrlEncodedFormEntity;

    invoke-direct {v8, v5}, Lorg/apache/http/client/entity/UrlEncodedFormEntity;-><init>(Ljava/util/List;)V

    invoke-virtual {v4, v8}, Lorg/apache/http/client/methods/HttpPost;->setEntity(Lorg/apache/http/HttpEntity;)V

    .line 243
    invoke-interface {v3, v4}, Lorg/apache/http/client/HttpClient;->execute(Lorg/apache/http/client/methods/HttpUriRequest;)Lorg/apache/http/HttpResponse;

    move-result-object v6

    .line 244
    .local v6, "response":Lorg/apache/http/HttpResponse;
    invoke-interface {v6}, Lorg/apache/http/HttpResponse;->getEntity()Lorg/apache/http/HttpEntity;
    :try_end_0
    .catch Lorg/apache/http/client/ClientProtocolException; {:try_start_0 .. :try_end_0} :catch_1
    .catch Ljava/io/IOException; {:try_start_0 .. :try_end_0} :catch_3

    move-result-object v2

    .line 245
    .local v2, "entity":Lorg/apache/http/HttpEntity;
    if-eqz v2, :cond_0

    .line 250
    :try_start_1
    invoke-interface {v2}, Lorg/apache/http/HttpEntity;->getContent()Ljava/io/InputStream;

    move-result-object v8

    invoke-static {v8}, Lcom/mixpanel/android/util/StringUtils;->inputStreamToString(Ljava/io/InputStream;)Ljava/lang/String;

    move-result-object v7

    .line 251
    .local v7, "result":Ljava/lang/String;
    sget-boolean v8, Lcom/mixpanel/android/mpmetrics/Global;->DEBUG:Z

    if-eqz v8, :cond_2

    .line 252
    const-string v8, "TrackTask"

    new-instance v9, Ljava/lang/StringBuilder;

    const-string v10, "HttpResponse result: "

    invoke-direct {v9, v10}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V

    invoke-virtual {v9, v7}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;

    move-result-object v9

    invoke-virtual {v9}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;

    move-result-object v9

    invoke-static {v8, v9}, Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I

    .line 254
    :cond_2
    const-string v8, "1\n"

    invoke-virtual {v7, v8}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z

    move-result v8

    if-eqz v8, :cond_0

    .line 259
    iget-object v8, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics$TrackTask;->this$0:Lcom/mixpanel/android/mpmetrics/MPMetrics;

    invoke-static {v8}, Lcom/mixpanel/android/mpmetrics/MPMetrics;->access$0(Lcom/mixpanel/android/mpmetrics/MPMetrics;)Lcom/mixpanel/android/mpmetrics/MPDbAdapter;

    move-result-object v8

    const/4 v9, 0x0

    aget-object v9, v0, v9

    invoke-virtual {v8, v9}, Lcom/mixpanel/android/mpmetrics/MPDbAdapter;->cleanupEvents(Ljava/lang/String;)V
    :try_end_1
    .catch Ljava/io/IOException; {:try_start_1 .. :try_end_1} :catch_0
    .catch Ljava/lang/OutOfMemoryError; {:try_start_1 .. :try_end_1} :catch_2
    .catch Lorg/apache/http/client/ClientProtocolException; {:try_start_1 .. :try_end_1} :catch_1

    goto :goto_0

    .line 263
    .end local v7    # "result":Ljava/lang/String;
    :catch_0
    move-exception v1

    .line 264
    .local v1, "e":Ljava/io/IOException;
    :try_start_2
    const-string v8, "TrackTask"

    const-string v9, "TrackTask"

    invoke-static {v8, v9, v1}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    :try_end_2
    .catch Lorg/apache/http/client/ClientProtocolException; {:try_start_2 .. :try_end_2} :catch_1
    .catch Ljava/io/IOException; {:try_start_2 .. :try_end_2} :catch_3

    goto :goto_0

    .line 271
    .end local v1    # "e":Ljava/io/IOException;
    .end local v2    # "entity":Lorg/apache/http/HttpEntity;
    .end local v5    # "nameValuePairs":Ljava/util/List;, "Ljava/util/List<Lorg/apache/http/NameValuePair;>;"
    .end local v6    # "response":Lorg/apache/http/HttpResponse;
    :catch_1
    move-exception v1

    .line 272
    .local v1, "e":Lorg/apache/http/client/ClientProtocolException;
    const-string v8, "TrackTask"

    const-string v9, "TrackTask"

    invoke-static {v8, v9, v1}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I

    goto :goto_0

    .line 266
    .end local v1    # "e":Lorg/apache/http/client/ClientProtocolException;
    .restart local v2    # "entity":Lorg/apache/http/HttpEntity;
    .restart local v5    # "nameValuePairs":Ljava/util/List;, "Ljava/util/List<Lorg/apache/http/NameValuePair;>;"
    .restart local v6    # "response":Lorg/apache/http/HttpResponse;
    :catch_2
    move-exception v1

    .line 267
    .local v1, "e":Ljava/lang/OutOfMemoryError;
    :try_start_3
    const-string v8, "TrackTask"

    const-string v9, "TrackTask"

    invoke-static {v8, v9, v1}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I
    :try_end_3
    .catch Lorg/apache/http/client/ClientProtocolException; {:try_start_3 .. :try_end_3} :catch_1
    .catch Ljava/io/IOException; {:try_start_3 .. :try_end_3} :catch_3

    goto/16 :goto_0

    .line 274
    .end local v1    # "e":Ljava/lang/OutOfMemoryError;
    .end local v2    # "entity":Lorg/apache/http/HttpEntity;
    .end local v5    # "nameValuePairs":Ljava/util/List;, "Ljava/util/List<Lorg/apache/http/NameValuePair;>;"
    .end local v6    # "response":Lorg/apache/http/HttpResponse;
    :catch_3
    move-exception v1

    .line 275
    .local v1, "e":Ljava/io/IOException;
    const-string v8, "TrackTask"

    const-string v9, "TrackTask"

    invoke-static {v8, v9, v1}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I

    goto/16 :goto_0
.end method
