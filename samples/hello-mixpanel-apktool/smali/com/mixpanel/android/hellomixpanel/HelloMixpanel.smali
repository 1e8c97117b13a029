.class public Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;
.super Landroid/app/Activity;
.source "HelloMixpanel.java"


# instance fields
.field mButton:Landroid/widget/Button;

.field mMPMetrics:Lcom/mixpanel/android/mpmetrics/MPMetrics;


# direct methods
.method public constructor <init>()V
    .locals 0

    .prologue
    .line 14
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V

    return-void
.end method


# virtual methods
.method public onCreate(Landroid/os/Bundle;)V
    .locals 2
    .param p1, "savedInstanceState"    # Landroid/os/Bundle;

    .prologue
    .line 22
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V

    .line 23
    const/high16 v0, 0x7f030000

    invoke-virtual {p0, v0}, Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;->setContentView(I)V

    .line 25
    const-string v0, "c35a4b5163ee2c097de447765f691544"

    invoke-static {p0, v0}, Lcom/mixpanel/android/mpmetrics/MPMetrics;->getInstance(Landroid/content/Context;Ljava/lang/String;)Lcom/mixpanel/android/mpmetrics/MPMetrics;

    move-result-object v0

    iput-object v0, p0, Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;->mMPMetrics:Lcom/mixpanel/android/mpmetrics/MPMetrics;

    .line 27
    const/high16 v0, 0x7f050000

    invoke-virtual {p0, v0}, Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;->findViewById(I)Landroid/view/View;

    move-result-object v0

    check-cast v0, Landroid/widget/Button;

    iput-object v0, p0, Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;->mButton:Landroid/widget/Button;

    .line 28
    iget-object v0, p0, Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;->mButton:Landroid/widget/Button;

    new-instance v1, Lcom/mixpanel/android/hellomixpanel/HelloMixpanel$1;

    invoke-direct {v1, p0}, Lcom/mixpanel/android/hellomixpanel/HelloMixpanel$1;-><init>(Lcom/mixpanel/android/hellomixpanel/HelloMixpanel;)V

    invoke-virtual {v0, v1}, Landroid/widget/Button;->setOnClickListener(Landroid/view/View$OnClickListener;)V

    .line 41
    return-void
.end method
