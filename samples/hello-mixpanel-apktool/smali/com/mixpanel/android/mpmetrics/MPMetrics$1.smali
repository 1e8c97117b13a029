.class Lcom/mixpanel/android/mpmetrics/MPMetrics$1;
.super Ljava/util/TimerTask;
.source "MPMetrics.java"


# annotations
.annotation system Ldalvik/annotation/EnclosingMethod;
    value = Lcom/mixpanel/android/mpmetrics/MPMetrics;-><init>(Landroid/content/Context;Ljava/lang/String;)V
.end annotation

.annotation system Ldalvik/annotation/InnerClass;
    accessFlags = 0x0
    name = null
.end annotation


# instance fields
.field final synthetic this$0:Lcom/mixpanel/android/mpmetrics/MPMetrics;


# direct methods
.method constructor <init>(Lcom/mixpanel/android/mpmetrics/MPMetrics;)V
    .locals 0

    .prologue
    .line 1
    iput-object p1, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics$1;->this$0:Lcom/mixpanel/android/mpmetrics/MPMetrics;

    .line 85
    invoke-direct {p0}, Ljava/util/TimerTask;-><init>()V

    return-void
.end method


# virtual methods
.method public run()V
    .locals 1

    .prologue
    .line 88
    iget-object v0, p0, Lcom/mixpanel/android/mpmetrics/MPMetrics$1;->this$0:Lcom/mixpanel/android/mpmetrics/MPMetrics;

    invoke-virtual {v0}, Lcom/mixpanel/android/mpmetrics/MPMetrics;->flush()V

    .line 89
    return-void
.end method
