.class public Lcom/mixpanel/android/mpmetrics/MPMetrics;
.super Ljava/lang/Object;
.source "MPMetrics.java"


# annotations
.annotation system Ldalvik/annotation/MemberClasses;
    value = {
        Lcom/mixpanel/android/mpmetrics/MPMetrics$TrackTask;
    }
.end annotation


# static fields
.field private static final API_URL:Ljava/lang/String; = "http://api.mixpanel.com"

.field private static final BULK_UPLOAD_LIMIT:I = 0x28

.field private static final DATA_EXPIRATION:I = 0x2932e00

.field private static final ENDPOINT_TRACK:Ljava/lang/String; = "http://api.mixpanel.com/track?ip=1"

.field private static final FLUSH_RATE:I = 0xea60

.field private static final LOGTAG:Ljava/lang/String; = "MPMetrics"

.field private static mInstanceMap:Ljava/util/HashMap;
    .annotation system Ldalvik/annotation/Signature;
        value = {
            "Ljava/util/HashMap",
            "<",
            "Ljava/lang/String;",
            "Lcom/mixpanel/android/mpmetrics/MPMetrics;",
            ">;"
        }
    .end annotation
.end field


# instance fields
.field private executor:Ljava/util/concurrent/ThreadPoolExecutor;

.field private mCarrier:Ljava/lang/String;

.field private mContext:Landroid/content/Context;

.field private mDbAdapter:Lcom/mixpanel/android/mpmetrics/MPDbAdapter;

.field private mDeviceId:Ljava/lang/String;

.field private mModel:Ljava/lang/String;

.field private mSuperProperties:Lorg/json/JSONObject;

.field private mTestMode:Z

.field private mTimer:Ljava/util/Timer;

.field private mToken:Ljava/lang/String;

.field private mVersion:Ljava/lang/String;


# direct methods
.method static constructor <clinit>()V
    .locals 1

    .prologue
    .line 46
    new-instance v0, Ljava/util/HashMap;

    invoke-direct {v0}, Ljava/util/HashMap;-><init>()V

    sput-object v0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mInstanceMap:Ljava/util/HashMap;

    .line 33
    return-void
.end method

.method private constructor <init>(Landroid/content/Context;Ljava/lang/String;)V
    .locals 7
    .param p1, "context"    # Landroid/content/Context;
    .param p2, "token"    # Ljava/lang/String;

    .prologue
    const-wide/16 v3, 0x0

    const/4 v1, 0x1

    .line 70
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    .line 68
    new-instance v0, Ljava/util/concurrent/ThreadPoolExecutor;

    sget-object v5, Ljava/util/concurrent/TimeUnit;->MILLISECONDS:Ljava/util/concurrent/TimeUnit;

    new-instance v6, Ljava/util/concurrent/LinkedBlockingQueue;

    invoke-direct {v6}, Ljava/util/concurrent/LinkedBlockingQueue;-><init>()V

    move v2, v1

    invoke-direct/range {v0 .. v6}, Ljava/util/concurrent/ThreadPoolExecutor;-><init>(IIJLjava/util/concurrent/TimeUnit;Ljava/util/concurrent/BlockingQueue;)V

    iput-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->executor:Ljava/util/concurrent/ThreadPoolExecutor;

    .line 71
    iput-object p1, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mContext:Landroid/content/Context;

    .line 72
    iput-object p2, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mToken:Ljava/lang/String;

    .line 74
    invoke-direct {p0}, Lcom/mixpanel/android/mpmetrics/MPMetrics;->getCarrier()Ljava/lang/String;

    move-result-object v0

    iput-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mCarrier:Ljava/lang/String;

    .line 75
    invoke-direct {p0}, Lcom/mixpanel/android/mpmetrics/MPMetrics;->getModel()Ljava/lang/String;

    move-result-object v0

    iput-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mModel:Ljava/lang/String;

    .line 76
    invoke-direct {p0}, Lcom/mixpanel/android/mpmetrics/MPMetrics;->getVersion()Ljava/lang/String;

    move-result-object v0

    iput-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mVersion:Ljava/lang/String;

    .line 77
    invoke-direct {p0}, Lcom/mixpanel/android/mpmetrics/MPMetrics;->getDeviceId()Ljava/lang/String;

    move-result-object v0

    iput-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mDeviceId:Ljava/lang/String;

    .line 79
    new-instance v0, Lorg/json/JSONObject;

    invoke-direct {v0}, Lorg/json/JSONObject;-><init>()V

    iput-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mSuperProperties:Lorg/json/JSONObject;

    .line 81
    new-instance v0, Lcom/mixpanel/android/mpmetrics/MPDbAdapter;

    iget-object v1, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mContext:Landroid/content/Context;

    iget-object v2, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mToken:Ljava/lang/String;

    invoke-direct {v0, v1, v2}, Lcom/mixpanel/android/mpmetrics/MPDbAdapter;-><init>(Landroid/content/Context;Ljava/lang/String;)V

    iput-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mDbAdapter:Lcom/mixpanel/android/mpmetrics/MPDbAdapter;

    .line 82
    iget-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mDbAdapter:Lcom/mixpanel/android/mpmetrics/MPDbAdapter;

    invoke-static {}, Ljava/lang/System;->currentTimeMillis()J

    move-result-wide v1

    const-wide/32 v5, 0x2932e00

    sub-long/2addr v1, v5

    invoke-virtual {v0, v1, v2}, Lcom/mixpanel/android/mpmetrics/MPDbAdapter;->cleanupEvents(J)V

    .line 84
    new-instance v0, Ljava/util/Timer;

    invoke-direct {v0}, Ljava/util/Timer;-><init>()V

    iput-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mTimer:Ljava/util/Timer;

    .line 85
    iget-object v1, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mTimer:Ljava/util/Timer;

    new-instance v2, Lcom/mixpanel/android/mpmetrics/MPMetrics$1;

    invoke-direct {v2, p0}, Lcom/mixpanel/android/mpmetrics/MPMetrics$1;-><init>(Lcom/mixpanel/android/mpmetrics/MPMetrics;)V

    .line 90
    const-wide/32 v5, 0xea60

    .line 85
    invoke-virtual/range {v1 .. v6}, Ljava/util/Timer;->schedule(Ljava/util/TimerTask;JJ)V

    .line 91
    return-void
.end method

.method static synthetic access$0(Lcom/mixpanel/android/mpmetrics/MPMetrics;)Lcom/mixpanel/android/mpmetrics/MPDbAdapter;
    .locals 1

    .prologue
    .line 59
    iget-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mDbAdapter:Lcom/mixpanel/android/mpmetrics/MPDbAdapter;

    return-object v0
.end method

.method private getCarrier()Ljava/lang/String;
    .locals 1

    .prologue
    .line 188
    sget-object v0, Landroid/os/Build;->BRAND:Ljava/lang/String;

    return-object v0
.end method

.method private getDeviceId()Ljava/lang/String;
    .locals 4

    .prologue
    .line 213
    sget-object v1, Landroid/os/Build;->PRODUCT:Ljava/lang/String;

    .line 214
    .local v1, "product":Ljava/lang/String;
    iget-object v2, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mContext:Landroid/content/Context;

    invoke-virtual {v2}, Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;

    move-result-object v2

    const-string v3, "android_id"

    invoke-static {v2, v3}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;

    move-result-object v0

    .line 215
    .local v0, "androidId":Ljava/lang/String;
    if-eqz v1, :cond_0

    if-nez v0, :cond_1

    .line 216
    :cond_0
    const/4 v2, 0x0

    .line 218
    :goto_0
    return-object v2

    :cond_1
    new-instance v2, Ljava/lang/StringBuilder;

    invoke-static {v1}, Ljava/lang/String;->valueOf(Ljava/lang/Object;)Ljava/lang/String;

    move-result-object v3

    invoke-direct {v2, v3}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V

    const-string v3, "_"

    invoke-virtual {v2, v3}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;

    move-result-object v2

    invoke-virtual {v2, v0}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;

    move-result-object v2

    invoke-virtual {v2}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;

    move-result-object v2

    goto :goto_0
.end method

.method public static getInstance(Landroid/content/Context;Ljava/lang/String;)Lcom/mixpanel/android/mpmetrics/MPMetrics;
    .locals 2
    .param p0, "context"    # Landroid/content/Context;
    .param p1, "token"    # Ljava/lang/String;

    .prologue
    .line 282
    sget-object v1, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mInstanceMap:Ljava/util/HashMap;

    invoke-virtual {v1, p1}, Ljava/util/HashMap;->get(Ljava/lang/Object;)Ljava/lang/Object;

    move-result-object v0

    check-cast v0, Lcom/mixpanel/android/mpmetrics/MPMetrics;

    .line 283
    .local v0, "instance":Lcom/mixpanel/android/mpmetrics/MPMetrics;
    if-nez v0, :cond_0

    .line 284
    new-instance v0, Lcom/mixpanel/android/mpmetrics/MPMetrics;

    .end local v0    # "instance":Lcom/mixpanel/android/mpmetrics/MPMetrics;
    invoke-virtual {p0}, Landroid/content/Context;->getApplicationContext()Landroid/content/Context;

    move-result-object v1

    invoke-direct {v0, v1, p1}, Lcom/mixpanel/android/mpmetrics/MPMetrics;-><init>(Landroid/content/Context;Ljava/lang/String;)V

    .line 285
    .restart local v0    # "instance":Lcom/mixpanel/android/mpmetrics/MPMetrics;
    sget-object v1, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mInstanceMap:Ljava/util/HashMap;

    invoke-virtual {v1, p1, v0}, Ljava/util/HashMap;->put(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;

    .line 288
    :cond_0
    return-object v0
.end method

.method private getModel()Ljava/lang/String;
    .locals 1

    .prologue
    .line 196
    sget-object v0, Landroid/os/Build;->MODEL:Ljava/lang/String;

    return-object v0
.end method

.method private getVersion()Ljava/lang/String;
    .locals 1

    .prologue
    .line 204
    sget-object v0, Landroid/os/Build$VERSION;->RELEASE:Ljava/lang/String;

    return-object v0
.end method


# virtual methods
.method public clearSuperProperties()V
    .locals 2

    .prologue
    .line 116
    sget-boolean v0, Lcom/mixpanel/android/mpmetrics/Global;->DEBUG:Z

    if-eqz v0, :cond_0

    const-string v0, "MPMetrics"

    const-string v1, "clearSuperProperties"

    invoke-static {v0, v1}, Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I

    .line 117
    :cond_0
    new-instance v0, Lorg/json/JSONObject;

    invoke-direct {v0}, Lorg/json/JSONObject;-><init>()V

    iput-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mSuperProperties:Lorg/json/JSONObject;

    .line 118
    return-void
.end method

.method public enableTestMode()V
    .locals 2

    .prologue
    .line 179
    sget-boolean v0, Lcom/mixpanel/android/mpmetrics/Global;->DEBUG:Z

    if-eqz v0, :cond_0

    const-string v0, "MPMetrics"

    const-string v1, "enableTestMode"

    invoke-static {v0, v1}, Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I

    .line 180
    :cond_0
    const/4 v0, 0x1

    iput-boolean v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mTestMode:Z

    .line 181
    return-void
.end method

.method public flush()V
    .locals 3

    .prologue
    .line 168
    sget-boolean v0, Lcom/mixpanel/android/mpmetrics/Global;->DEBUG:Z

    if-eqz v0, :cond_0

    const-string v0, "MPMetrics"

    const-string v1, "flush"

    invoke-static {v0, v1}, Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I

    .line 170
    :cond_0
    iget-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->executor:Ljava/util/concurrent/ThreadPoolExecutor;

    new-instance v1, Lcom/mixpanel/android/mpmetrics/MPMetrics$TrackTask;

    const/4 v2, 0x0

    invoke-direct {v1, p0, v2}, Lcom/mixpanel/android/mpmetrics/MPMetrics$TrackTask;-><init>(Lcom/mixpanel/android/mpmetrics/MPMetrics;Lcom/mixpanel/android/mpmetrics/MPMetrics$TrackTask;)V

    invoke-virtual {v0, v1}, Ljava/util/concurrent/ThreadPoolExecutor;->submit(Ljava/lang/Runnable;)Ljava/util/concurrent/Future;

    .line 171
    return-void
.end method

.method public registerSuperProperties(Lorg/json/JSONObject;)V
    .locals 5
    .param p1, "superProperties"    # Lorg/json/JSONObject;

    .prologue
    .line 100
    sget-boolean v3, Lcom/mixpanel/android/mpmetrics/Global;->DEBUG:Z

    if-eqz v3, :cond_0

    const-string v3, "MPMetrics"

    const-string v4, "registerSuperProperties"

    invoke-static {v3, v4}, Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I

    .line 102
    :cond_0
    invoke-virtual {p1}, Lorg/json/JSONObject;->keys()Ljava/util/Iterator;

    move-result-object v1

    .local v1, "iter":Ljava/util/Iterator;, "Ljava/util/Iterator<Ljava/lang/String;>;"
    :goto_0
    invoke-interface {v1}, Ljava/util/Iterator;->hasNext()Z

    move-result v3

    if-nez v3, :cond_1

    .line 110
    return-void

    .line 103
    :cond_1
    invoke-interface {v1}, Ljava/util/Iterator;->next()Ljava/lang/Object;

    move-result-object v2

    check-cast v2, Ljava/lang/String;

    .line 105
    .local v2, "key":Ljava/lang/String;
    :try_start_0
    iget-object v3, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mSuperProperties:Lorg/json/JSONObject;

    invoke-virtual {p1, v2}, Lorg/json/JSONObject;->get(Ljava/lang/String;)Ljava/lang/Object;

    move-result-object v4

    invoke-virtual {v3, v2, v4}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;
    :try_end_0
    .catch Lorg/json/JSONException; {:try_start_0 .. :try_end_0} :catch_0

    goto :goto_0

    .line 106
    :catch_0
    move-exception v0

    .line 107
    .local v0, "e":Lorg/json/JSONException;
    const-string v3, "MPMetrics"

    const-string v4, "Exception registering super property."

    invoke-static {v3, v4, v0}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I

    goto :goto_0
.end method

.method public track(Ljava/lang/String;Lorg/json/JSONObject;)V
    .locals 11
    .param p1, "eventName"    # Ljava/lang/String;
    .param p2, "properties"    # Lorg/json/JSONObject;

    .prologue
    .line 128
    invoke-static {}, Ljava/lang/System;->currentTimeMillis()J

    move-result-wide v7

    const-wide/16 v9, 0x3e8

    div-long/2addr v7, v9

    invoke-static {v7, v8}, Ljava/lang/Long;->toString(J)Ljava/lang/String;

    move-result-object v6

    .line 130
    .local v6, "time":Ljava/lang/String;
    new-instance v1, Lorg/json/JSONObject;

    invoke-direct {v1}, Lorg/json/JSONObject;-><init>()V

    .line 132
    .local v1, "dataObj":Lorg/json/JSONObject;
    :try_start_0
    const-string v7, "event"

    invoke-virtual {v1, v7, p1}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;

    .line 133
    new-instance v5, Lorg/json/JSONObject;

    invoke-direct {v5}, Lorg/json/JSONObject;-><init>()V

    .line 134
    .local v5, "propertiesObj":Lorg/json/JSONObject;
    const-string v7, "token"

    iget-object v8, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mToken:Ljava/lang/String;

    invoke-virtual {v5, v7, v8}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;

    .line 135
    const-string v7, "time"

    invoke-virtual {v5, v7, v6}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;

    .line 136
    const-string v8, "distinct_id"

    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mDeviceId:Ljava/lang/String;

    if-nez v7, :cond_3

    const-string v7, "UNKNOWN"

    :goto_0
    invoke-virtual {v5, v8, v7}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;

    .line 137
    const-string v8, "carrier"

    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mCarrier:Ljava/lang/String;

    if-nez v7, :cond_4

    const-string v7, "UNKNOWN"

    :goto_1
    invoke-virtual {v5, v8, v7}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;

    .line 138
    const-string v8, "model"

    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mModel:Ljava/lang/String;

    if-nez v7, :cond_5

    const-string v7, "UNKNOWN"

    :goto_2
    invoke-virtual {v5, v8, v7}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;

    .line 139
    const-string v8, "version"

    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mVersion:Ljava/lang/String;

    if-nez v7, :cond_6

    const-string v7, "UNKNOWN"

    :goto_3
    invoke-virtual {v5, v8, v7}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;

    .line 140
    const-string v7, "mp_lib"

    const-string v8, "android"

    invoke-virtual {v5, v7, v8}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;

    .line 142
    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mSuperProperties:Lorg/json/JSONObject;

    invoke-virtual {v7}, Lorg/json/JSONObject;->keys()Ljava/util/Iterator;

    move-result-object v3

    .local v3, "iter":Ljava/util/Iterator;, "Ljava/util/Iterator<Ljava/lang/String;>;"
    :goto_4
    invoke-interface {v3}, Ljava/util/Iterator;->hasNext()Z

    move-result v7

    if-nez v7, :cond_7

    .line 147
    if-eqz p2, :cond_0

    .line 148
    invoke-virtual {p2}, Lorg/json/JSONObject;->keys()Ljava/util/Iterator;

    move-result-object v3

    :goto_5
    invoke-interface {v3}, Ljava/util/Iterator;->hasNext()Z

    move-result v7

    if-nez v7, :cond_8

    .line 154
    :cond_0
    const-string v7, "properties"

    invoke-virtual {v1, v7, v5}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;
    :try_end_0
    .catch Lorg/json/JSONException; {:try_start_0 .. :try_end_0} :catch_0

    .line 160
    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mDbAdapter:Lcom/mixpanel/android/mpmetrics/MPDbAdapter;

    invoke-virtual {v7, v1}, Lcom/mixpanel/android/mpmetrics/MPDbAdapter;->addEvent(Lorg/json/JSONObject;)I

    move-result v0

    .line 162
    .local v0, "count":I
    iget-boolean v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mTestMode:Z

    if-nez v7, :cond_1

    const/16 v7, 0x28

    if-lt v0, v7, :cond_2

    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->executor:Ljava/util/concurrent/ThreadPoolExecutor;

    invoke-virtual {v7}, Ljava/util/concurrent/ThreadPoolExecutor;->getQueue()Ljava/util/concurrent/BlockingQueue;

    move-result-object v7

    invoke-interface {v7}, Ljava/util/concurrent/BlockingQueue;->isEmpty()Z

    move-result v7

    if-eqz v7, :cond_2

    .line 163
    :cond_1
    invoke-virtual {p0}, Lcom/mixpanel/android/mpmetrics/MPMetrics;->flush()V

    .line 165
    .end local v0    # "count":I
    .end local v3    # "iter":Ljava/util/Iterator;, "Ljava/util/Iterator<Ljava/lang/String;>;"
    .end local v5    # "propertiesObj":Lorg/json/JSONObject;
    :cond_2
    :goto_6
    return-void

    .line 136
    .restart local v5    # "propertiesObj":Lorg/json/JSONObject;
    :cond_3
    :try_start_1
    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mDeviceId:Ljava/lang/String;

    goto :goto_0

    .line 137
    :cond_4
    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mCarrier:Ljava/lang/String;

    goto :goto_1

    .line 138
    :cond_5
    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mModel:Ljava/lang/String;

    goto :goto_2

    .line 139
    :cond_6
    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mVersion:Ljava/lang/String;

    goto :goto_3

    .line 143
    .restart local v3    # "iter":Ljava/util/Iterator;, "Ljava/util/Iterator<Ljava/lang/String;>;"
    :cond_7
    invoke-interface {v3}, Ljava/util/Iterator;->next()Ljava/lang/Object;

    move-result-object v4

    check-cast v4, Ljava/lang/String;

    .line 144
    .local v4, "key":Ljava/lang/String;
    iget-object v7, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics;->mSuperProperties:Lorg/json/JSONObject;

    invoke-virtual {v7, v4}, Lorg/json/JSONObject;->get(Ljava/lang/String;)Ljava/lang/Object;

    move-result-object v7

    invoke-virtual {v5, v4, v7}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;
    :try_end_1
    .catch Lorg/json/JSONException; {:try_start_1 .. :try_end_1} :catch_0

    goto :goto_4

    .line 155
    .end local v3    # "iter":Ljava/util/Iterator;, "Ljava/util/Iterator<Ljava/lang/String;>;"
    .end local v4    # "key":Ljava/lang/String;
    .end local v5    # "propertiesObj":Lorg/json/JSONObject;
    :catch_0
    move-exception v2

    .line 156
    .local v2, "e":Lorg/json/JSONException;
    const-string v7, "MPMetrics"

    const-string v8, "event"

    invoke-static {v7, v8, v2}, Landroid/util/Log;->e(Ljava/lang/String;Ljava/lang/String;Ljava/lang/Throwable;)I

    goto :goto_6

    .line 149
    .end local v2    # "e":Lorg/json/JSONException;
    .restart local v3    # "iter":Ljava/util/Iterator;, "Ljava/util/Iterator<Ljava/lang/String;>;"
    .restart local v5    # "propertiesObj":Lorg/json/JSONObject;
    :cond_8
    :try_start_2
    invoke-interface {v3}, Ljava/util/Iterator;->next()Ljava/lang/Object;

    move-result-object v4

    check-cast v4, Ljava/lang/String;

    .line 150
    .restart local v4    # "key":Ljava/lang/String;
    invoke-virtual {p2, v4}, Lorg/json/JSONObject;->get(Ljava/lang/String;)Ljava/lang/Object;

    move-result-object v7

    invoke-virtual {v5, v4, v7}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;
    :try_end_2
    .catch Lorg/json/JSONException; {:try_start_2 .. :try_end_2} :catch_0

    goto :goto_5
.end method
